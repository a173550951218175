/**
 * The shape of a row of the duration table, and the matchers rows are built from. A leaf
 * module: the cloud modules (clouds/) contribute rows, tools/plan/durations.ts assembles them.
 */

/** What decides a resource's duration: its type and inputs, and the cluster it lands in. */
export interface ResourceFacts {
    type: string;
    name: string;
    inputs: Record<string, any>;
    /** The mesh cluster the resource belongs to, when it belongs to one. */
    cluster?: { name: string; cloud: string; role: string };
}

/** One row of the table. */
export interface DurationRule {
    /** What the row is about, for the report. */
    what: string;
    matches: (r: ResourceFacts) => boolean;
    /** Typical duration used in the estimate. */
    seconds: number;
    /** The range usually seen. */
    range: string;
    /** Where the figure comes from: a document or issue, or "estimate". */
    source: string;
}

/** Matches resources of these type tokens. */
export const isType =
    (...types: string[]) =>
    (r: ResourceFacts) =>
        types.includes(r.type);

/** Matches LoadBalancer Services in clusters of these clouds. */
export const isLoadBalancer = (clouds: string[]) => (r: ResourceFacts) =>
    r.type === "kubernetes:core/v1:Service" && r.inputs.spec?.type === "LoadBalancer" && clouds.includes(r.cluster?.cloud ?? "");
