/**
 * Typical provisioning durations by resource type, for estimating how long `pulumi up` takes
 * to a working mesh. Each figure names its source, or says it is an estimate; real runs vary
 * with region, quota and load. Pure.
 */

import { allClouds } from "../../clouds";
import { DurationRule, isType, ResourceFacts } from "./durationRules";

export type { DurationRule, ResourceFacts } from "./durationRules";

/** Last path segment of a chart reference (`istiod`, `oci://registry/charts/istiod`). */
function chartName(chart: unknown): string {
    return typeof chart === "string" ? chart.split("/").pop()! : "";
}

const isRelease = (chart: string, role?: string) => (r: ResourceFacts) =>
    r.type === "kubernetes:helm.sh/v3:Release" && chartName(r.inputs.chart) === chart && (role === undefined || r.cluster?.role === role);

/**
 * The table, first match wins: each cloud's rows (from its module, clouds/<cloud>.ts; they match
 * only that cloud's resources), then the rows of what every cluster has.
 */
export const durationTable: DurationRule[] = [
    ...allClouds().flatMap((c) => c.durations),
    {
        what: "LoadBalancer Service on a cluster you run (existing, kind)",
        matches: (r) => r.type === "kubernetes:core/v1:Service" && r.inputs.spec?.type === "LoadBalancer",
        seconds: 15,
        range: "seconds",
        source: "estimate",
    },
    {
        what: "Helm release of Istio's base chart (CRDs)",
        matches: isRelease("base"),
        seconds: 30,
        range: "20-60 s",
        source: "estimate",
    },
    {
        what: "Helm release of istiod in a remote (webhooks and config only)",
        matches: isRelease("istiod", "remote"),
        seconds: 45,
        range: "30-60 s",
        source: "estimate",
    },
    {
        what: "Helm release of istiod (pods ready)",
        matches: isRelease("istiod"),
        seconds: 90,
        range: "1-2 min",
        source: "estimate",
    },
    {
        what: "Helm release of a gateway in a remote (injected by its primary's istiod, through the primary's east-west gateway)",
        matches: isRelease("gateway", "remote"),
        seconds: 240,
        range: "3-5 min",
        source: "estimate",
    },
    {
        what: "Helm release of a gateway (pods ready)",
        matches: isRelease("gateway"),
        seconds: 150,
        range: "2-3 min",
        source: "estimate",
    },
    {
        what: "Helm release of another chart (pods ready)",
        matches: isType("kubernetes:helm.sh/v3:Release"),
        seconds: 60,
        range: "30 s-2 min",
        source: "estimate",
    },
    {
        what: "Kubernetes Deployment (pods pulled and ready)",
        matches: isType("kubernetes:apps/v1:Deployment"),
        seconds: 45,
        range: "30-90 s",
        source: "estimate",
    },
    {
        what: "other Kubernetes objects (namespaces, secrets, Istio objects, Services)",
        matches: (r) => r.type.startsWith("kubernetes:"),
        seconds: 3,
        range: "seconds",
        source: "estimate",
    },
    {
        what: "provider configuration",
        matches: (r) => r.type.startsWith("pulumi:providers:"),
        seconds: 0,
        range: "none",
        source: "no API call",
    },
    {
        what: "keys, certificates and random names (tls, random)",
        matches: (r) => r.type.startsWith("tls:") || r.type.startsWith("random:"),
        seconds: 0,
        range: "none",
        source: "computed locally by the provider, no cloud API",
    },
    {
        what: "local commands",
        matches: isType("command:local:Command"),
        seconds: 2,
        range: "seconds",
        source: "estimate",
    },
];

/** The row for anything the table does not know. */
export const unknownTypeRule: DurationRule = {
    what: "resource type not in the table",
    matches: () => true,
    seconds: 10,
    range: "unknown",
    source: "estimate",
};

/** The rule that sets a resource's typical duration. */
export function durationRuleFor(r: ResourceFacts): DurationRule {
    return durationTable.find((rule) => rule.matches(r)) ?? unknownTypeRule;
}

/** `45 s`, `12 min`, `1 h 05 min`. */
export function formatDuration(seconds: number): string {
    if (seconds < 60) return `${Math.round(seconds)} s`;
    const minutes = Math.round(seconds / 60);
    if (minutes < 60) return `${minutes} min`;
    return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}
