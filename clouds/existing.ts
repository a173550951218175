/** Existing clusters: ones you run, adopted into the mesh through a kubeconfig. */
import { parse } from "yaml";
import { z } from "zod";
import { ExistingCluster } from "../components/clusters/existing";
import { anyCloud, CloudModule, configuredAddressKeys } from "./cloud";

/** The problems of an existing cluster's kubeconfig, never quoting it. */
export function kubeconfigProblem(kubeconfig: string): string | undefined {
    let doc: any;
    try {
        doc = parse(kubeconfig);
    } catch (err) {
        const line = (err as { linePos?: { line: number }[] }).linePos?.[0]?.line;
        return `is not valid YAML${line ? ` (parse error at line ${line})` : ""}`;
    }
    if (typeof doc !== "object" || doc === null || Array.isArray(doc))
        return "is not a kubeconfig (a YAML mapping with clusters, contexts, users)";
    // The same resolution as kubeconfigEndpoint (components/clusters/cluster.ts).
    const contexts: any[] = Array.isArray(doc.contexts) ? doc.contexts : [];
    const context = contexts.find((c) => c?.name === doc["current-context"]) ?? contexts[0];
    const clusters: any[] = Array.isArray(doc.clusters) ? doc.clusters : [];
    const cluster = (context ? clusters.find((c) => c?.name === context.context?.cluster) : undefined) ?? clusters[0];
    if (!cluster) return "names no cluster (its clusters list is empty or missing)";
    const server = cluster.cluster?.server;
    if (typeof server !== "string") return "names no API server: its current context's cluster has no server";
    if (!/^https:\/\/\S+$/.test(server))
        return "has a server that is not an https:// URL; other clusters' istiod reach the API server over TLS";
    const ca = cluster.cluster?.["certificate-authority-data"];
    if (typeof ca !== "string") {
        return "does not inline its CA: the current context's cluster needs certificate-authority-data (other clusters' istiod reach it with a bearer token and this CA)";
    }
    const decoded = /^[A-Za-z0-9+/=\s]+$/.test(ca) ? Buffer.from(ca, "base64").toString("utf8") : "";
    if (!decoded.includes("-----BEGIN CERTIFICATE-----")) return "has certificate-authority-data that is not base64 of a PEM certificate";
    return undefined;
}

const variant = z.strictObject({
    ...anyCloud,
    cloud: z.literal("existing"),
    kubernetesVersion: z.string().optional(),
    ...configuredAddressKeys,
});

export const existingCloud: CloudModule<typeof variant> = {
    name: "existing",
    title: "existing cluster",
    variant,
    keyDocs: {},
    // The version of a cluster you run is yours to say; nothing to default.
    resolve: (c, input) => ({ kubernetesVersion: c.kubernetesVersion, kubeconfig: input.kubeconfigs?.[c.name] }),
    // The program names nothing in a cluster it does not create.
    derivedNames: [],
    inCloud: false,
    clusterFactory: () => (c, common) =>
        new ExistingCluster(c.name, {
            role: common.role,
            network: common.network,
            kubeconfig: c.kubeconfig!,
            loadBalancerAddresses: common.configuredAddresses,
        }),
    rules: {
        access(c, _at, { input }) {
            const kubeconfig = input.kubeconfigs?.[c.name];
            if (kubeconfig === undefined) {
                return {
                    problems: [
                        `kubeconfigs.${c.name}: missing; cluster ${JSON.stringify(c.name)} is "existing" and needs its kubeconfig (pulumi config set --secret --path 'kubeconfigs.${c.name}' "$(cat kubeconfig)")`,
                    ],
                };
            }
            const problem = kubeconfigProblem(kubeconfig);
            return { problems: problem ? [`kubeconfigs.${c.name}: ${problem} (secret: its value is not shown)`] : [] };
        },
        // Every kubeconfig is of an existing cluster of this stack.
        stack(own, { input, config }) {
            // The first cluster of a name (a later one of the same name is already a problem).
            const byName = new Map(config.clusters.map((c) => [c.name, c] as const).reverse());
            const names = own.map(({ c }) => c.name).join(", ") || "none";
            return {
                problems: Object.keys(input.kubeconfigs ?? {})
                    .filter((name) => byName.get(name)?.cloud !== "existing")
                    .map((name) => `kubeconfigs.${name}: no "existing" cluster of that name (existing clusters: ${names})`),
            };
        },
        // A remote reaches its primary's istiod only through a static IP: an existing primary must say which.
        primaries: (own, { config }) => ({
            problems: own
                .filter(
                    ({ c }) => c.role === "primary" && c.eastWestAddress === undefined && config.clusters.some((r) => r.primary === c.name),
                )
                .map(
                    ({ c, at }) =>
                        `${at}.eastWestAddress: required for existing primary ${JSON.stringify(c.name)}: its remotes use it as remotePilotAddress (an IPv4 your load balancer can take)`,
                ),
        }),
    },
    plan: { eastWestAddressKind: "configured eastWestAddress", allocatesAddresses: false },
    // Its LoadBalancer Services take the table's row for clusters you run.
    durations: [],
    synthetic: { resources: {} },
};
