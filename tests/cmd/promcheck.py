#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# promcheck.py - reads dmctl's Prometheus metrics with the real parser of
# prometheus_client (python3-prometheus-client) for tests/cmd/prom.bats.
#
#   promcheck.py compare PROM JSON [stable]  the figures of PROM are those
#                                            of "show --json" JSON (stable:
#                                            only the settings and the pool)
#   promcheck.py counters PROM               "passes add reclaim moved errors"
#   promcheck.py watch DIR STOP              until the file STOP is there,
#                                            read DIR/dmctl.prom as often as
#                                            it can: always whole, no other
#                                            *.prom; prints the passes seen
import json
import os
import sys

from prometheus_client.parser import text_string_to_metric_families

VM = {  # metric: (JSON key, scale)
    "dmctl_vm_assigned_bytes": ("assigned", 1),
    "dmctl_vm_demand_bytes": ("demand", 1),
    "dmctl_vm_startup_bytes": ("startup", 1),
    "dmctl_vm_minimum_bytes": ("minimum", 1),
    "dmctl_vm_maximum_bytes": ("maximum", 1),
    "dmctl_vm_plugged_bytes": ("plugged", 1),
    "dmctl_vm_buffer_ratio": ("buffer", 100),
    "dmctl_vm_weight": ("weight", 1),
    "dmctl_vm_pressure_ratio": ("pressure", 100),
    "dmctl_vm_dynamic": ("dynamic", 1),
}
STABLE = ("startup", "minimum", "maximum", "buffer", "weight", "dynamic")
HOST = {
    "dmctl_pool_capacity_bytes": "pool",
    "dmctl_pool_assigned_bytes": "assigned",
    "dmctl_pool_free_bytes": "free",
    "dmctl_host_reserve_bytes": "reserve",
}
COUNTERS = ("passes_total", "changes_total/add", "changes_total/reclaim",
            "moved_bytes_total", "errors_total")


def parse(text):
    """The samples by name and labels; every family has HELP and TYPE."""
    out = {}
    for fam in text_string_to_metric_families(text):
        assert fam.name.startswith("dmctl_"), fam.name
        assert fam.type in ("gauge", "counter"), (fam.name, fam.type)
        assert fam.documentation, fam.name
        for s in fam.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def compare(prom, doc, stable):
    got = parse(prom)
    want = {}
    for vm in doc["vms"]:
        lab = (("domain", vm["name"]), ("uuid", vm["uuid"]))
        for name, (key, scale) in VM.items():
            if stable and key not in STABLE:
                continue
            v = vm.get(key)
            if v is not None:
                want[(name, lab)] = float(v) / scale
        if vm["status"] not in ("none",) and not stable:
            cur = "unknown" if vm["status"] == "invalid" else vm["status"]
            for st in ("ok", "low", "warning", "unknown"):
                want[("dmctl_vm_status", tuple(sorted(lab + (("status", st),))))] = \
                    1.0 if st == cur.lower() else 0.0
    for name, key in HOST.items():
        if not stable or key in ("pool",):
            want[(name, ())] = float(doc["host"][key])
    if stable:
        got = {k: v for k, v in got.items() if k in want}
    bad = 0
    for k in sorted(set(got) | set(want), key=str):
        if k[0].startswith("dmctl_balancer_"):
            print("balancer counter in show: %s" % (k,))
            bad += 1
        elif got.get(k) != want.get(k):
            print("%s: prometheus %s, json %s" % (k, got.get(k), want.get(k)))
            bad += 1
    print("%d samples compared, %d differ" % (len(want), bad))
    return 1 if bad else 0


def counters(text):
    got = parse(text)
    c = {}
    for (name, labels), v in got.items():
        if name.startswith("dmctl_balancer_"):
            key = name[len("dmctl_balancer_"):]
            for _, val in labels:
                key += "/" + val
            c[key] = v
    assert "pass_seconds" in c
    return " ".join("%d" % c[k] for k in COUNTERS)


def watch(d, stop):
    reads, seen = 0, []
    while not os.path.exists(stop):
        for n in os.listdir(d):
            if n.endswith(".prom") and n != "dmctl.prom":
                print("a second *.prom: %s" % n)
                return 1
        try:
            with open(os.path.join(d, "dmctl.prom")) as f:
                text = f.read()
        except FileNotFoundError:
            continue
        # Whole: the last family is there, to its newline.
        if not text.endswith("\n") or "\ndmctl_balancer_pass_seconds " not in text:
            print("a partial file: %r" % text[-200:])
            return 1
        passes = counters(text).split()[0]
        reads += 1
        if not seen or seen[-1] != passes:
            seen.append(passes)
    print("%d whole reads; passes %s" % (reads, " ".join(seen)))
    return 0


def main(argv):
    if argv[1] == "compare":
        with open(argv[2]) as p, open(argv[3]) as j:
            return compare(p.read(), json.load(j), len(argv) > 4)
    if argv[1] == "counters":
        with open(argv[2]) as p:
            print(counters(p.read()))
        return 0
    if argv[1] == "watch":
        return watch(argv[2], argv[3])
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
