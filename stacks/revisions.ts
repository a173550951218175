/**
 * Config of canary control-plane revisions (`revisions`, `defaultRevision`): the schema keys, the
 * checks, and the refusals that need the stack's previous run. Kept apart from config.ts so that
 * it moves onto any config model: the model adds `revisionsSchema`'s keys, calls
 * `checkRevisions` and carries `revisions`/`defaultRevision` in its result.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { compareVersions, IstioRevision, MeshRevisions, newestRevision, unrevisioned } from "../components/mesh/revisions";
import { defaultIstioVersion, istioMinorOf, istioMinors, istioVersionProblem } from "../components/mesh/istioReleases";
import { nodeShape } from "./nodeSizes";

export type { IstioRevision, MeshRevisions };

/** Schema keys of the stack config: `revisions` and `defaultRevision`. */
export const revisionsSchema = {
    revisions: z
        .array(z.strictObject({ name: z.string(), version: z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/) }))
        .min(1)
        .optional(),
    defaultRevision: z.string().optional(),
};

/** Messages for the schema's format errors (config.ts's `expectations`). */
export const revisionExpectations: Record<string, string> = {
    "revisions.version": `a full Istio version such as ${defaultIstioVersion}`,
};

/** The longest revision name: Helm release names (`istiod-<name>`) have at most 53 characters. */
export const maxRevisionNameLength = 46;
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const show = (v: unknown) => JSON.stringify(v);

/** What the revision keys come to: the revisions (undefined: none configured), and Kubernetes' range. */
export interface RevisionCheck {
    revisions?: MeshRevisions;
    /** The Istio version `base` and the peers' contract use: the newest revision's. */
    istioVersion?: string;
    /** Kubernetes minors every revision supports (the intersection), when revisions are set. */
    kubernetes?: { min: number; max: number; minors: string };
    problems: string[];
}

/**
 * Checks `revisions` and `defaultRevision` (as the schema let them through) against
 * `istioVersion`. Every problem names its key, the bad value and what is valid.
 * `projectDefault` is the istioVersion Pulumi.yaml declares: Pulumi hands it to the program as
 * if the stack had set it, so only another value counts as set together with revisions.
 */
export function checkRevisions(
    input: { istioVersion?: string; revisions?: IstioRevision[]; defaultRevision?: string },
    projectDefault?: string,
): RevisionCheck {
    const problems: string[] = [];
    const { revisions } = input;
    if (revisions === undefined) {
        if (input.defaultRevision !== undefined) {
            problems.push(
                `defaultRevision: ${show(input.defaultRevision)} is set but revisions is not; the default tag points at one of the revisions (set revisions, or remove defaultRevision)`,
            );
        }
        return { problems };
    }
    if (input.istioVersion !== undefined && input.istioVersion !== projectDefault) {
        problems.push(
            `istioVersion: ${show(input.istioVersion)} is set together with revisions; with revisions each revision names its version (keep the running version as revision {name: "default", version: ${show(input.istioVersion)}} and remove istioVersion)`,
        );
    }
    const names = revisions.map((r) => r.name);
    revisions.forEach((r, i) => {
        const at = `revisions[${i}]`;
        if (!dnsLabel.test(r.name) || r.name.length > maxRevisionNameLength) {
            problems.push(
                `${at}.name: ${show(r.name)} is not a DNS-1123 label of at most ${maxRevisionNameLength} characters (lowercase letters, digits and '-', such as 1-31 or canary; "default" is the unrevisioned install)`,
            );
        } else if (names.indexOf(r.name) !== i) {
            problems.push(`${at}.name: ${show(r.name)} is already the name of revisions[${names.indexOf(r.name)}]; names must be unique`);
        }
        const versionProblem = istioVersionProblem(r.version);
        if (versionProblem) problems.push(`${at}.version: ${versionProblem}`);
    });
    const defaultRevision = input.defaultRevision ?? (revisions.length === 1 ? revisions[0].name : undefined);
    if (defaultRevision === undefined) {
        problems.push(
            `defaultRevision: is required with more than one revision: the revision the default tag points at (revisions: ${names.join(", ")})`,
        );
    } else if (!names.includes(defaultRevision)) {
        problems.push(
            `defaultRevision: ${show(defaultRevision)} is not a revision of revisions (revisions: ${names.join(", ")}); the default tag must point at an installed revision, so a revision it points at cannot be removed: move the tag first`,
        );
    }
    // Kubernetes must suit every revision: the intersection of their ranges.
    const ranges = revisions.map((r) => istioMinorOf(r.version) ?? istioMinors[istioMinors.length - 1]);
    const min = Math.max(...ranges.map((m) => m.kubernetes.min));
    const max = Math.min(...ranges.map((m) => m.kubernetes.max));
    if (min > max) {
        problems.push(
            `revisions: no Kubernetes version suits every revision (${revisions.map((r) => `${r.name}: Istio ${r.version}`).join(", ")}); run revisions of adjacent minors`,
        );
    }
    const minors = [...new Set(ranges.map((m) => m.minor))].join(" and ");
    if (problems.length > 0) return { problems };
    return {
        revisions: { revisions: revisions.map((r) => ({ name: r.name, version: r.version })), defaultRevision: defaultRevision! },
        istioVersion: newestRevision(revisions).version,
        kubernetes: { min, max, minors },
        problems,
    };
}

/** What the stack's previous run published about one of its clusters' revisions. */
export interface PublishedRevisions {
    /** Revisions installed in the cluster, as {name, version}. */
    revisions?: IstioRevision[];
    /** Where the default tag pointed. */
    defaultRevision?: string;
}

/**
 * Refusals that need the previous run (this stack's own published outputs): removing the
 * revision the default tag pointed at, and removing the revision whose version `base` (Istio's
 * CRDs) runs, which would downgrade the CRDs under the revisions that remain.
 */
export function revisionRemovalProblems(previous: PublishedRevisions | undefined, next: MeshRevisions): string[] {
    if (!previous?.revisions || previous.revisions.length === 0) return [];
    const problems: string[] = [];
    const kept = new Set(next.revisions.map((r) => r.name));
    const removed = previous.revisions.filter((r) => !kept.has(r.name));
    const tag = previous.defaultRevision;
    for (const r of removed) {
        if (r.name === tag) {
            problems.push(
                `revisions: removes revision ${show(r.name)}, which the default tag points at in the last run (defaultRevision ${show(tag)}); move the tag first (defaultRevision: ${show(next.defaultRevision)}), pulumi up, restart the workloads, then remove ${show(r.name)} in a later run`,
            );
        }
    }
    const baseBefore = newestRevision(previous.revisions).version;
    const baseAfter = newestRevision(next.revisions).version;
    if (compareVersions(baseAfter, baseBefore) < 0) {
        const newest = previous.revisions.filter((r) => r.version === baseBefore && !kept.has(r.name)).map((r) => r.name);
        problems.push(
            `revisions: removes revision ${newest.map(show).join(", ")} (Istio ${baseBefore}), the newest: base (Istio's CRDs) runs the newest revision's version and would go down to ${baseAfter}, which Helm and Istio do not support; keep ${show(newest[0])} (a CRD downgrade would need a manual, reviewed procedure)`,
        );
    }
    return problems;
}

/** Requests of one istiod pod (the chart's defaults). */
export const istiodRequests = { cpu: 0.5, memoryGiB: 2 };
/** What a cluster runs besides istiod, estimated: gateways, the cloud's system pods, headroom. */
const othersRequests = { cpu: 1.0, memoryGiB: 2.5 };
/** Share of a node the kubelet leaves allocatable (system and kube reservations), estimated. */
const allocatableShare = { cpu: 0.85, memoryGiB: 0.8 };

/**
 * Warnings for primaries whose nodes cannot hold one istiod per revision: 500m/2Gi each, twice
 * on a primary that serves remotes (two replicas). Only sizes whose shape is known are checked.
 */
export function revisionCapacityWarnings(
    revisions: MeshRevisions | undefined,
    clusters: { name: string; cloud: string; role: string; primary?: string; nodeCount: number; nodeSize?: string }[],
): string[] {
    if (!revisions || revisions.revisions.length < 2) return [];
    const warnings: string[] = [];
    clusters.forEach((c, i) => {
        if (c.role !== "primary" || !c.nodeSize) return;
        const shape = nodeShape(c.cloud as any, c.nodeSize);
        if (!shape) return;
        const replicas = clusters.some((r) => r.primary === c.name) ? 2 : 1;
        const pods = revisions.revisions.length * replicas;
        const cpu = pods * istiodRequests.cpu + othersRequests.cpu;
        const memoryGiB = pods * istiodRequests.memoryGiB + othersRequests.memoryGiB;
        const hasCpu = c.nodeCount * shape.vcpus * allocatableShare.cpu;
        const hasMemory = c.nodeCount * shape.memoryGiB * allocatableShare.memoryGiB;
        if (cpu > hasCpu || memoryGiB > hasMemory) {
            warnings.push(
                `clusters[${i}].nodeSize: ${c.nodeCount} x ${show(c.nodeSize)} may not hold ${revisions.revisions.length} revisions: ${pods} istiod pod${pods === 1 ? "" : "s"} (500m/2Gi each${replicas === 2 ? ", two per revision on a primary that serves remotes" : ""}) plus gateways and system pods ask about ${cpu.toFixed(1)} vCPU / ${memoryGiB.toFixed(1)} GiB, the nodes allocate about ${hasCpu.toFixed(1)} vCPU / ${hasMemory.toFixed(1)} GiB; raise nodeCount or nodeSize for the upgrade, or istiod pods stay Pending and the Release times out`,
            );
        }
    });
    return warnings;
}

export { unrevisioned };

/**
 * What this stack's previous run published about its clusters' revisions, by cluster (empty
 * before its first run with revisions). Read through a StackReference to the stack itself, which
 * reads the outputs of its last completed update.
 */
export async function readPreviousRun(): Promise<Map<string, PublishedRevisions>> {
    const name = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
    const self = new pulumi.StackReference("previous-run", { name });
    const clusters = (await self.getOutputDetails("clusters")).value as Record<string, PublishedRevisions> | undefined;
    return new Map(
        Object.entries(clusters ?? {}).map(([name, c]) => [name, { revisions: c.revisions, defaultRevision: c.defaultRevision }]),
    );
}
