/**
 * What the plan shows, read from the registrations the program made under the mock engine:
 * per cluster its place in the mesh, its Helm releases, the remote secrets it holds and where
 * its remotePilotAddress comes from.
 */
import { cloudModule } from "../../clouds";
import type { ClusterConfig, MeshConfig } from "../../stacks/config";
import { Recorder, Registration, reveal } from "../synthetic/engine";
import { formatDuration } from "./durations";
import { clusterOf, TimeToMesh } from "./timeToMesh";

export const RELEASE = "kubernetes:helm.sh/v3:Release";
const SECRET = "kubernetes:core/v1:Secret";
const WEBHOOK = "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration";
const remoteSecretPrefix = "istio-remote-secret-";

/** One Helm release as the program sends it. */
export interface PlannedRelease {
    /** Helm release name (`istiod`). */
    name: string;
    chart: string;
    version: string;
    namespace: string;
    /** Values with secrets revealed (synthetic in the plan). */
    values: Record<string, unknown>;
}

/** Where a remote's remotePilotAddress comes from. */
export interface PilotAddressSource {
    primary: string;
    /** Elastic IP, static public IP, regional address, configured eastWestAddress. */
    kind: string;
    value: string;
    /** False when the address is the one the config sets (existing and kind clusters). */
    synthetic: boolean;
}

/** One cluster of the plan. */
export interface PlannedCluster {
    config: ClusterConfig;
    releases: PlannedRelease[];
    /** Clusters whose remote secret this cluster holds. */
    remoteSecrets: string[];
    pilotAddress?: PilotAddressSource;
    /** With revisions configured: each istiod revision and its version, and where the default tag points. */
    revisions?: { names: { name: string; version: string }[]; defaultRevision: string };
}

function releaseOf(r: Registration): PlannedRelease {
    return {
        name: String(r.inputs.name),
        chart: String(r.inputs.chart),
        version: String(r.inputs.version),
        namespace: String(r.inputs.namespace ?? ""),
        values: reveal(r.inputs.values ?? {}),
    };
}

/** Per cluster, in config order, what the program registered for it. */
export function plannedClusters(rec: Recorder, config: MeshConfig): PlannedCluster[] {
    const names = new Set(config.clusters.map((c) => c.name));
    const inCluster = (type: string, cluster: string) => rec.ofType(type).filter((r) => clusterOf(rec, r, names) === cluster);
    return config.clusters.map((c) => {
        const releases = inCluster(RELEASE, c.name).map(releaseOf);
        const remoteSecrets = inCluster(SECRET, c.name)
            .map((r) => String(r.inputs.metadata?.name ?? ""))
            .filter((n) => n.startsWith(remoteSecretPrefix))
            .map((n) => n.slice(remoteSecretPrefix.length));
        const planned: PlannedCluster = { config: c, releases, remoteSecrets };
        if (config.revisions) {
            const order = (name: string) => config.revisions!.revisions.findIndex((r) => r.name === name) >>> 0;
            const tag = inCluster(WEBHOOK, c.name).find((r) => r.inputs.metadata?.name === "istio-revision-tag-default");
            planned.revisions = {
                // In config order (the unrevisioned istiod registers after the tag it waits for).
                names: releases
                    .filter((r) => r.chart === "istiod")
                    .map((r) => ({ name: String((r.values as any).revision ?? "default"), version: r.version }))
                    .sort((x, y) => order(x.name) - order(y.name)),
                defaultRevision: tag ? String(tag.inputs.metadata.labels["istio.io/rev"]) : "default",
            };
        }
        if (c.role === "remote" && c.primary) {
            const primary = config.clusters.find((p) => p.name === c.primary)!;
            const istiod = releases.find((r) => r.name === "istiod");
            const value = (istiod?.values as any)?.global?.remotePilotAddress;
            // What the primary's cloud says of its address; allocated ones are synthetic in a plan.
            const { eastWestAddressKind, allocatesAddresses } = cloudModule(primary.cloud).plan;
            planned.pilotAddress = {
                primary: primary.name,
                kind: eastWestAddressKind,
                value: value === undefined ? "(not set)" : String(value),
                synthetic: allocatesAddresses,
            };
        }
        return planned;
    });
}

/** What the plan prints; `header` says what is real and what is not. */
export function renderPlan(args: {
    stack: string;
    project: string;
    stackFile: string;
    substitutions: string[];
    warnings: string[];
    /** What the program waits for from other stacks (peers are never read offline). */
    waitingFor: string[];
    clusters: PlannedCluster[];
    registrations: number;
    time: TimeToMesh;
    parallelSource: string;
}): string {
    const out: string[] = [];
    out.push(`Offline plan of stack ${args.stack} (project ${args.project})`);
    out.push(`Config: Pulumi.yaml defaults merged with ${args.stackFile}`);
    out.push("");
    out.push("SYNTHETIC OUTPUTS: the real program ran under Pulumi's mock engine against a synthetic cloud");
    out.push("(tools/synthetic). No cloud was contacted and no credentials were used. Every value marked");
    out.push("[synthetic] is made up; pulumi up allocates the real ones.");
    if (args.substitutions.length > 0) {
        out.push("Secrets are not decrypted; in their place:");
        for (const s of args.substitutions) out.push(`  - ${s} [synthetic]`);
    }
    out.push("");
    if (args.warnings.length > 0) {
        out.push(`Warnings the program logged (${args.warnings.length}):`);
        for (const w of args.warnings) out.push(`  - ${w}`);
    } else {
        out.push("Warnings the program logged: none");
    }
    if (args.waitingFor.length > 0) {
        out.push("");
        out.push("Peer stacks are not read offline; as if none had published yet, the program would be waiting for:");
        for (const w of args.waitingFor) out.push(`  - ${w}`);
    }
    for (const c of args.clusters) {
        const cfg = c.config;
        out.push("");
        out.push(`Cluster ${cfg.name}`);
        out.push(
            `  cloud: ${cfg.cloud}   region: ${cfg.region ?? "-"}   role: ${cfg.role}${cfg.primary ? ` of ${cfg.primary}` : ""}   network: ${cfg.network}`,
        );
        out.push(`  Helm releases (${c.releases.length}):`);
        const width = Math.max(0, ...c.releases.map((r) => r.name.length));
        for (const r of c.releases) {
            out.push(`    ${r.name.padEnd(width)}  chart ${r.chart} ${r.version}  in ${r.namespace}`);
        }
        if (c.revisions) {
            const names = c.revisions.names.map((r) => `${r.name} (${r.version})`).join(", ");
            out.push(`  revisions: ${names || "none yet"}; default tag -> ${c.revisions.defaultRevision}`);
        }
        if (cfg.role === "primary") {
            out.push(`  remote secrets held: ${c.remoteSecrets.join(", ") || "none"}`);
        } else {
            out.push(`  remote secrets held: ${c.remoteSecrets.join(", ") || "none (a remote runs no istiod)"}`);
        }
        if (c.pilotAddress) {
            const p = c.pilotAddress;
            const label = p.synthetic ? "[synthetic]" : "[from config]";
            out.push(`  remotePilotAddress: static IP of ${p.primary}'s east-west gateway (${p.kind}) = ${p.value} ${label}`);
        } else {
            out.push("  remotePilotAddress: none (a primary runs its own istiod)");
        }
    }
    const t = args.time;
    out.push("");
    out.push(`Resources: ${args.registrations} registrations, ${t.operations} of them operations the engine runs`);
    out.push("");
    out.push("Estimated time to a working mesh (typical durations per resource type, tools/plan/durations.ts):");
    out.push(`  with --parallel ${t.parallel} (${args.parallelSource}): ${formatDuration(t.withParallelLimit)}`);
    out.push(`  critical path (unbounded parallelism): ${formatDuration(t.criticalPath)}`);
    out.push(`  one step after another (a runbook by hand): ${formatDuration(t.sequential)}`);
    out.push("  critical path:");
    for (const op of t.path.filter((o) => o.seconds > 0)) {
        const r = op.registration;
        const name = r.type === RELEASE ? `release ${r.inputs.name}` : r.name;
        out.push(`    ${formatDuration(op.seconds).padStart(7)}  ${(op.cluster ?? "mesh").padEnd(14)} ${name}: ${op.rule.what}`);
    }
    return out.join("\n") + "\n";
}
