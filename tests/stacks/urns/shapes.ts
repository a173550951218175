import type { PublishedStack } from "../../../tools/synthetic/outputs";
import { existingKubeconfig, meshes, runStack, stackFileConfig } from "../fixtures";

/**
 * The stacks whose URNs are a contract: the example stack files, the shapes the tests build, and
 * one with every optional feature on, so that every resource the program can register is covered.
 */
const everything: Record<string, unknown> = {
    ...meshes["five-cluster"],
    demo: true,
    trafficPolicy: { localityFailover: true, versionHeader: true },
    ingressTls: { host: "hello.example.com", credentialName: "hello-tls" },
    adminPrincipals: {
        aws: ["arn:aws:iam::123456789012:role/ci"],
        azure: ["00000000-0000-0000-0000-000000000001"],
        gcp: ["serviceAccount:ci@acme-mesh.iam.gserviceaccount.com"],
    },
    clusters: (meshes["five-cluster"].clusters as Record<string, unknown>[]).map((c) => ({
        ...c,
        ingress: true,
        eastWestSourceRanges: ["203.0.113.0/24"],
        ...(c.cloud === "existing" ? { eastWestAddress: "203.0.113.20", ingressAddress: "203.0.113.21" } : {}),
    })),
    kubeconfigs: { onprem: existingKubeconfig },
};

/** A primary-remote mesh split over two stacks, each after its second pass. */
const EAST = "acme/istio-multicloud/east-team";
const WEST = "acme/istio-multicloud/west-team";
const eastTeam = {
    clusters: [{ name: "east", cloud: "aws", region: "us-east-1", network: "net-east" }],
    peers: [{ name: "west", stack: WEST, role: "remote", network: "net-west", primary: "east" }],
};
const westTeam = {
    clusters: [
        { name: "west", cloud: "gcp", region: "us-west1", project: "acme-mesh", network: "net-west", role: "remote", primary: "east" },
    ],
    peers: [{ name: "east", stack: EAST, role: "primary", network: "net-east" }],
    rootCaFrom: EAST,
};

/** The dev stack mid-upgrade: the unrevisioned install kept as revision `default`, the tag on the canary. */
const { istioVersion: _unused, ...devConfig } = stackFileConfig("dev");
const devCanary = {
    ...devConfig,
    revisions: [
        { name: "default", version: "1.30.4" },
        { name: "1-31", version: "1.31.1" },
    ],
    defaultRevision: "1-31",
};

/** Engine URNs one run of the program registers, and the engine URNs its registrations answer to as aliases. */
export interface RegisteredUrns {
    urns: string[];
    aliases: string[];
}

const run = (config: Record<string, unknown>, stack: string, published: Record<string, PublishedStack> = {}) =>
    runStack(config, { stack, published });

const single =
    (config: Record<string, unknown>, stack = "dev") =>
    async () =>
        (await run(config, stack)).rec;

/** Every shape of the contract, by name: a program run that returns its recorder. */
export const urnShapes = {
    dev: single(stackFileConfig("dev")),
    local: single(stackFileConfig("local"), "local"),
    "primary-remote": single(meshes["primary-remote"]),
    "multi-primary": single(meshes["multi-primary"]),
    "five-cluster": single(meshes["five-cluster"]),
    everything: single(everything),
    "dev-canary": single(devCanary),
    "split-east-team": async () => {
        const east1 = await run(eastTeam, "east-team");
        const west1 = await run(westTeam, "west-team", { [EAST]: east1.published });
        return (await run(eastTeam, "east-team", { [WEST]: west1.published })).rec;
    },
    "split-west-team": async () => {
        const east1 = await run(eastTeam, "east-team");
        const west1 = await run(westTeam, "west-team", { [EAST]: east1.published });
        const east2 = await run(eastTeam, "east-team", { [WEST]: west1.published });
        return (await run(westTeam, "west-team", { [EAST]: east2.published })).rec;
    },
};

export type UrnShape = keyof typeof urnShapes;

/** The URNs a shape registers today, and the old URNs its registrations carry as aliases. */
export async function registeredUrns(shape: UrnShape): Promise<RegisteredUrns> {
    const rec = await urnShapes[shape]();
    return {
        urns: rec.all.map((r) => r.engineUrn).sort(),
        aliases: [...new Set(rec.all.flatMap((r) => r.aliases))].sort(),
    };
}
