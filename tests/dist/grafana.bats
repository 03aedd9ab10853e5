#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# dist/grafana-dmctl.json: a dashboard Grafana imports as it is, over the
# metrics dmctl exports and no other. No guests needed.

DASH="$BATS_TEST_DIRNAME/../../dist/grafana-dmctl.json"

# The metrics of dmctl show --prometheus and dmctl rebalance --textfile.
METRICS="dmctl_vm_assigned_bytes dmctl_vm_demand_bytes dmctl_vm_startup_bytes
dmctl_vm_minimum_bytes dmctl_vm_maximum_bytes dmctl_vm_plugged_bytes
dmctl_vm_buffer_ratio dmctl_vm_weight dmctl_vm_pressure_ratio
dmctl_vm_status dmctl_vm_dynamic dmctl_pool_capacity_bytes
dmctl_pool_assigned_bytes dmctl_pool_free_bytes dmctl_host_reserve_bytes
dmctl_balancer_passes_total dmctl_balancer_changes_total
dmctl_balancer_moved_bytes_total dmctl_balancer_errors_total
dmctl_balancer_pass_seconds"

@test "the dashboard is JSON that Grafana imports: schema, datasource input" {
	jq -e . "$DASH" >/dev/null
	jq -e '.schemaVersion | type == "number"' "$DASH"
	jq -e '.title != null and .uid != null and .id == null' "$DASH"
	jq -e '.__inputs == [.__inputs[] | select(.name == "DS_PROMETHEUS" and
		.type == "datasource" and .pluginId == "prometheus")] and
		(.__inputs | length) == 1' "$DASH"
	# Every panel and query asks the input's datasource, none a fixed one.
	jq -e '[.. | objects | select(has("datasource")) | .datasource |
		select(.type == "prometheus") | .uid] | unique == ["${DS_PROMETHEUS}"]' "$DASH"
	jq -e '[.panels[] | .targets[] | .datasource.uid] | all(. == "${DS_PROMETHEUS}")' "$DASH"
	# Panel ids are unique.
	jq -e '[.panels[].id] | length == (unique | length)' "$DASH"
}

@test "the dashboard shows the pool, assigned vs demand, status and moves" {
	exprs=$(jq -r '.panels[] | .title + ": " + ([.targets[].expr] | join(" "))' "$DASH")
	echo "$exprs"
	grep -q 'dmctl_pool_capacity_bytes.*dmctl_pool_assigned_bytes.*dmctl_pool_free_bytes' <<<"$exprs"
	grep -q 'dmctl_vm_assigned_bytes.*dmctl_vm_demand_bytes' <<<"$exprs"
	grep -q '^VMs: .*dmctl_vm_status' <<<"$exprs"
	grep -q 'rate(dmctl_balancer_changes_total.*rate(dmctl_balancer_moved_bytes_total' <<<"$exprs"
}

@test "every metric the dashboard queries is one dmctl exports" {
	# Queries of the panels and of the template variables.
	used=$(jq -r '[.panels[].targets[].expr, .templating.list[].definition,
		.templating.list[].query.query] | .[]' "$DASH" |
		grep -o 'dmctl_[a-z_]*' | sort -u)
	[ -n "$used" ]
	for m in $used; do
		grep -qw "$m" <<<"$METRICS" || { echo "not exported: $m"; return 1; }
	done
	# Every query names its metrics with a selector, and each is a
	# dmctl one: none of node_exporter or the libvirt exporters.
	exprs=$(jq -r '.panels[].targets[].expr' "$DASH")
	[ "$(grep -o 'dmctl_[a-z_]*' <<<"$exprs" | wc -l)" -eq \
		"$(grep -oE 'dmctl_[a-z_]*\{' <<<"$exprs" | wc -l)" ]
	other=$(grep -oE '[a-zA-Z_:][a-zA-Z0-9_:]*\{' <<<"$exprs" | grep -v '^dmctl_' || true)
	[ -z "$other" ] || { echo "not dmctl's: $other"; return 1; }
}
