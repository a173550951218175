/**
 * The stack's published outputs and config, turned into what verify checks. Pure: the
 * Automation API calls live in `stack.ts`. The outputs are the contract of `stacks/mesh.ts`,
 * read as plain JSON here (the tool must not import the Pulumi program itself).
 */
import { z } from "zod";

/** A problem that stops verify before it can judge the mesh; its message is for people. */
export class VerifyError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "VerifyError";
    }
}

/** One cluster as the stack output `clusters` describes it. */
export interface ClusterInfo {
    name: string;
    cloud?: string;
    /** `primary` or `remote`. */
    role: string;
    /** For a remote: its primary. */
    primary?: string;
    /** Istio network (topology.istio.io/network). */
    network: string;
    /** Clusters whose remote secret this cluster holds, per the outputs (primaries only). */
    remoteSecrets: string[];
    /** Address of the cluster's ingress gateway; absent when it runs none. */
    ingressAddress?: string;
    /** Control-plane revisions installed in it; absent when the stack runs no revisions. */
    revisions?: string[];
}

/** The mesh as published by the stack. */
export interface MeshModel {
    clusters: ClusterInfo[];
    /** Output `demo.ingressHost`: the host the ingress Gateway serves HTTPS for (config ingressTls). */
    ingressHost?: string;
}

/** What the stack outputs give verify. */
export interface StackData {
    mesh: MeshModel;
    /** Kubeconfig per cluster (a secret output): what the program itself deploys with. */
    kubeconfigs: Map<string, string>;
}

/** A Pulumi output as the Automation API returns it. */
export interface OutputValue {
    value: unknown;
    secret?: boolean;
}

// Lenient on purpose: other fields may be added to the outputs; verify reads only these.
const clusterSchema = z.object({
    name: z.string().optional(),
    cloud: z.string().optional(),
    role: z.string(),
    primary: z.string().optional(),
    network: z.string(),
    remoteSecrets: z.array(z.string()).optional(),
    ingressAddress: z.string().optional(),
    revisions: z.array(z.object({ name: z.string() })).optional(),
});

// Output `demo`; absent from stacks deployed before it was published (no TLS then).
const demoSchema = z.object({ ingressHost: z.string().optional() });

/** Turns `stack.outputs()` into the mesh model and kubeconfigs; throws VerifyError. */
export function parseStackOutputs(stackName: string, outputs: Record<string, OutputValue>): StackData {
    const names = Object.keys(outputs);
    if (names.length === 0) {
        throw new VerifyError(`stack ${stackName} has no outputs: deploy it first (pulumi up --stack ${stackName})`);
    }
    for (const key of ["clusters", "kubeconfigs"]) {
        if (!(key in outputs)) {
            throw new VerifyError(
                `stack ${stackName} has no output "${key}" (outputs: ${names.join(", ")}): ` +
                    `was it deployed with this program? Run pulumi up --stack ${stackName}`,
            );
        }
    }
    const clusters = z.record(z.string(), clusterSchema).safeParse(outputs.clusters.value);
    if (!clusters.success) {
        const issue = clusters.error.issues[0];
        throw new VerifyError(
            `stack ${stackName}: output clusters.${issue.path.join(".")}: ${issue.message} ` +
                `(expected per cluster: role, network, remoteSecrets; deployed by an older version of this program?)`,
        );
    }
    const kubeconfigs = z.record(z.string(), z.string()).safeParse(outputs.kubeconfigs.value);
    if (!kubeconfigs.success) {
        throw new VerifyError(`stack ${stackName}: output kubeconfigs is not a map of cluster name to kubeconfig`);
    }
    const demo = outputs.demo === undefined ? undefined : demoSchema.safeParse(outputs.demo.value);
    if (demo && !demo.success) {
        const issue = demo.error.issues[0];
        throw new VerifyError(`stack ${stackName}: output demo.${issue.path.join(".")}: ${issue.message}`);
    }
    const mesh: MeshModel = {
        clusters: Object.entries(clusters.data).map(([key, c]) => ({
            name: c.name ?? key,
            cloud: c.cloud,
            role: c.role,
            primary: c.primary,
            network: c.network,
            remoteSecrets: c.remoteSecrets ?? [],
            ingressAddress: c.ingressAddress,
            ...(c.revisions ? { revisions: c.revisions.map((r) => r.name) } : {}),
        })),
        ingressHost: demo?.data.ingressHost,
    };
    const missing = mesh.clusters.filter((c) => kubeconfigs.data[c.name] === undefined).map((c) => c.name);
    if (missing.length > 0) {
        throw new VerifyError(
            `stack ${stackName}: output kubeconfigs has no kubeconfig for ${missing.join(", ")} ` +
                `(it has: ${Object.keys(kubeconfigs.data).join(", ") || "none"})`,
        );
    }
    return { mesh, kubeconfigs: new Map(Object.entries(kubeconfigs.data)) };
}

/** The stack config verify acts on. */
export interface VerifySettings {
    /** Config `demo`: the helloworld and curl workloads are deployed. */
    demo: boolean;
    /** Config `trafficPolicy.localityFailover`: replies are meant to stay in the caller's region. */
    localityFailover: boolean;
}

/** A config value as the Automation API returns it (structured values are JSON text). */
export interface ConfigValue {
    value: string;
    secret?: boolean;
}

/** The config namespace of the program (`istio-multicloud:` in Pulumi.yaml). */
export const configNamespace = "istio-multicloud";

/**
 * Reads the settings from `stack.getAllConfig()`. A key that is absent takes the program's
 * default (demo off, no locality failover). The program validated this config when it was
 * deployed, so shapes are read leniently rather than re-validated here.
 */
export function readSettings(config: Record<string, ConfigValue>): VerifySettings {
    const raw = (key: string): unknown => {
        const entry = config[`${configNamespace}:${key}`];
        if (entry === undefined) return undefined;
        try {
            return JSON.parse(entry.value);
        } catch {
            return entry.value;
        }
    };
    const trafficPolicy = raw("trafficPolicy") as { localityFailover?: unknown } | undefined;
    return {
        demo: raw("demo") === true,
        localityFailover: trafficPolicy?.localityFailover === true,
    };
}
