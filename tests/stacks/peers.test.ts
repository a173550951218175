import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import type { PublishedStack } from "../../tools/synthetic/outputs";
import type { MeshOutputs } from "../../stacks/mesh";
import { checkPeers, ClusterContract, PeerError, PublishedPeerStack } from "../../stacks/peers";
import { parseMeshConfig } from "../../stacks/config";
import { Recorder, Registration, reveal, startMockEngine } from "../harness";
import { runStack as runStackOf } from "./fixtures";

const EAST = "acme/istio-multicloud/east-team";
const WEST = "acme/istio-multicloud/west-team";
const east = { name: "east", cloud: "aws", region: "us-east-1", network: "net-east" };
const west = { name: "west", cloud: "gcp", region: "us-west1", project: "acme-mesh", network: "net-west", role: "remote", primary: "east" };

/** Runs the program for one stack, with what the other stacks have published so far. */
const runStack = (config: Record<string, unknown>, published: Record<string, PublishedStack> = {}) => runStackOf(config, { published });

const release = (rec: Recorder, cluster: string, name: string): Registration | undefined =>
    rec.inCluster("kubernetes:helm.sh/v3:Release", cluster, name)[0];
const secretsIn = (rec: Recorder, cluster: string) =>
    rec
        .inCluster("kubernetes:core/v1:Secret", cluster)
        .filter((s) => s.inputs.metadata.name.startsWith("istio-remote-secret-"))
        .map((s) => ({ name: s.inputs.metadata.name, data: reveal(s.inputs.stringData) }));

describe("a primary-remote mesh split over two stacks, pass by pass", () => {
    const eastStack = { clusters: [east], peers: [{ name: "west", stack: WEST, role: "remote", network: "net-west", primary: "east" }] };
    const westStack = { clusters: [west], peers: [{ name: "east", stack: EAST, role: "primary", network: "net-east" }] };
    let single: { rec: Recorder; outputs: MeshOutputs };
    let a1: Awaited<ReturnType<typeof runStack>>;
    let b1: Awaited<ReturnType<typeof runStack>>;
    let a2: Awaited<ReturnType<typeof runStack>>;
    let b2: Awaited<ReturnType<typeof runStack>>;

    beforeAll(async () => {
        single = await runStack({ clusters: [east, west] });
        a1 = await runStack(eastStack);
        b1 = await runStack(westStack, { [EAST]: a1.published });
        a2 = await runStack(eastStack, { [WEST]: b1.published });
        b2 = await runStack(westStack, { [EAST]: a2.published });
    });

    it("pass 1, primary: serves the remote it knows from config, holds no secret yet, says what it waits for", () => {
        expect(reveal(release(a1.rec, "east", "istiod")!.inputs.values)).toEqual(
            reveal(release(single.rec, "east", "istiod")!.inputs.values),
        );
        expect(reveal(release(a1.rec, "east", "istiod")!.inputs.values)).toMatchObject({
            global: { externalIstiod: true },
            autoscaleMin: 2,
        });
        expect(
            a1.rec
                .ofType("kubernetes:networking.istio.io/v1:Gateway")
                .map((g) => g.inputs.metadata.name)
                .sort(),
        ).toEqual(["cross-network-gateway", "istiod-gateway"]);
        expect(secretsIn(a1.rec, "east")).toEqual([]);
        expect(a1.outputs.waitingFor).toEqual([`west: ${WEST} has not published it yet (pulumi up on that stack)`]);
        expect(a1.published.outputs.clusters.east).toMatchObject({
            contract: 1,
            meshId: "mesh1",
            role: "primary",
            network: "net-east",
            remoteSecrets: [],
        });
        expect(a1.published.outputs.clusters.east.eastWestAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    });

    it("pass 1, remote: installs base and istiod against the primary's published address, and publishes its secret", () => {
        expect(reveal(release(b1.rec, "west", "istiod")!.inputs.values)).toEqual(
            reveal(release(single.rec, "west", "istiod")!.inputs.values),
        );
        expect(reveal(release(b1.rec, "west", "istiod")!.inputs.values).global.remotePilotAddress).toBe(
            a1.published.outputs.clusters.east.eastWestAddress,
        );
        expect(release(b1.rec, "west", "istio-eastwestgateway")).toBeUndefined();
        expect(b1.outputs.waitingFor).toEqual(["west: gateways and workloads wait until its primary east has attached it"]);
        expect(Object.keys(b1.published.outputs.remoteSecrets)).toEqual(["west"]);
        // A remote-only stack owns no root and issues no CA.
        expect(b1.rec.ofType("tls:index/selfSignedCert:SelfSignedCert")).toEqual([]);
        expect(b1.rec.ofType("kubernetes:core/v1:Secret").filter((s) => s.inputs.metadata.name === "cacerts")).toEqual([]);
    });

    it("pass 2, primary: attaches the remote with exactly the secret the single-stack mesh holds", () => {
        expect(secretsIn(a2.rec, "east")).toEqual(secretsIn(single.rec, "east"));
        expect(a2.published.outputs.clusters.east.remoteSecrets).toEqual(["west"]);
        expect(a2.outputs.waitingFor).toBeUndefined();
    });

    it("pass 2, remote: installs its gateway once attached, with the single-stack values", () => {
        expect(reveal(release(b2.rec, "west", "istio-eastwestgateway")!.inputs.values)).toEqual(
            reveal(release(single.rec, "west", "istio-eastwestgateway")!.inputs.values),
        );
        expect(b2.outputs.waitingFor).toBeUndefined();
    });

    it("ends with the same per-cluster Istio releases and in-cluster order as the single-stack mesh", () => {
        for (const [rec, cluster] of [
            [a2.rec, "east"],
            [b2.rec, "west"],
        ] as const) {
            const names = (r: Recorder) =>
                r
                    .ofType("kubernetes:helm.sh/v3:Release")
                    .filter((x) => r.providerOf(x)?.name === cluster)
                    .map((x) => [x.inputs.name, reveal(x.inputs.values)]);
            expect(names(rec)).toEqual(names(single.rec));
            const gateway = release(rec, cluster, "istio-eastwestgateway")!;
            expect(rec.dependsOn(gateway, release(rec, cluster, "istiod")!)).toBe(true);
            expect(rec.dependsOn(release(rec, cluster, "istiod")!, release(rec, cluster, "istio-base")!)).toBe(true);
        }
    });
});

describe("one root of trust across primary stacks", () => {
    const a = { clusters: [{ ...east }], peers: [{ name: "beta", stack: WEST, role: "primary", network: "net-beta" }] };
    const b = {
        clusters: [{ name: "beta", cloud: "azure", region: "westeurope", network: "net-beta" }],
        peers: [{ name: "east", stack: EAST, role: "primary", network: "net-east" }],
        rootCaFrom: EAST,
    };

    it("the owner issues the other primary's intermediate, which that stack installs as its cacerts", async () => {
        const owner = await runStack(a);
        expect(owner.published.secretOutputNames).toContain("caBundles");
        expect(Object.keys(owner.published.outputs.caBundles)).toEqual(["beta"]);
        const other = await runStack(b, { [EAST]: owner.published });
        expect(other.rec.ofType("tls:index/selfSignedCert:SelfSignedCert")).toEqual([]);
        const cacerts = other.rec.ofType("kubernetes:core/v1:Secret").find((s) => s.inputs.metadata.name === "cacerts")!;
        expect(reveal(cacerts.inputs.stringData)).toEqual({
            "ca-cert.pem": owner.published.outputs.caBundles.beta.caCertPem,
            "ca-key.pem": owner.published.outputs.caBundles.beta.caKeyPem,
            "root-cert.pem": owner.published.outputs.caBundles.beta.rootCertPem,
            "cert-chain.pem": owner.published.outputs.caBundles.beta.certChainPem,
        });
        expect(other.published.outputs.clusters.beta.rootCaFingerprint).toBe(owner.published.outputs.clusters.east.rootCaFingerprint);
    });

    it("a primary whose intermediate is not issued yet waits instead of creating a root of its own", async () => {
        const other = await runStack(b, {});
        expect(other.rec.ofType("tls:index/selfSignedCert:SelfSignedCert")).toEqual([]);
        expect(other.rec.ofType("kubernetes:helm.sh/v3:Release")).toEqual([]);
        expect(other.outputs.waitingFor).toEqual([
            `east: ${EAST} has not published it yet (pulumi up on that stack)`,
            `beta: ${EAST} has not issued its intermediate CA yet (add it to that stack's peers, then pulumi up there)`,
        ]);
    });
});

describe("peer checks", () => {
    const config = parseMeshConfig({
        clusters: [east],
        peers: [{ name: "west", stack: WEST, role: "remote", network: "net-west", primary: "east" }],
    }).config;
    const contract = (patch: Partial<ClusterContract> = {}): ClusterContract => ({
        contract: 1,
        meshId: "mesh1",
        name: "west",
        role: "remote",
        primary: "east",
        network: "net-west",
        apiServerUrl: "https://34.1.2.3",
        rootCaFingerprint: "ab".repeat(32),
        remoteSecrets: [],
        ...patch,
    });
    const published = (stack: PublishedPeerStack) => new Map([[WEST, stack]]);
    const problemsOf = (stack: PublishedPeerStack): string[] => {
        try {
            checkPeers(config, published(stack));
            return [];
        } catch (e) {
            expect(e).toBeInstanceOf(PeerError);
            expect(pulumi.RunError.isInstance(e)).toBe(true);
            return (e as PeerError).problems;
        }
    };
    const secrets = { west: "apiVersion: v1\nkind: Config\n" };

    describe("agree on the image hub and on Istio minors", () => {
        // Messages name this stack: run as stack `dev`, whatever ran before.
        beforeAll(() => startMockEngine({}, { stack: "dev" }));
        const problemsWith = (stackConfig: typeof config, stacks: Map<string, PublishedPeerStack>): string[] => {
            try {
                checkPeers(stackConfig, stacks);
                return [];
            } catch (e) {
                expect(e).toBeInstanceOf(PeerError);
                return (e as PeerError).problems;
            }
        };
        // This stack holds the primary east, its remote west is in WEST; or the other way round.
        const primaryStack = (raw: Record<string, unknown> = {}) =>
            parseMeshConfig({
                clusters: [east],
                peers: [{ name: "west", stack: WEST, role: "remote", network: "net-west", primary: "east" }],
                ...raw,
            }).config;
        const remoteStack = (raw: Record<string, unknown> = {}) =>
            parseMeshConfig({ clusters: [west], peers: [{ name: "east", stack: EAST, role: "primary", network: "net-east" }], ...raw })
                .config;
        const fromWest = (patch: Partial<ClusterContract>) =>
            new Map([[WEST, { clusters: { west: contract(patch) }, remoteSecrets: secrets }]]);
        const fromEast = (patch: Partial<ClusterContract>) =>
            new Map([
                [
                    EAST,
                    {
                        clusters: { east: contract({ name: "east", role: "primary", primary: undefined, network: "net-east", ...patch }) },
                        remoteSecrets: {},
                    },
                ],
            ]);

        it("refuse a peer that pulls Istio's images from another hub, naming both stacks", () => {
            expect(problemsWith(primaryStack(), fromWest({ imageHub: "mirror.corp.example/istio", istioVersion: "1.31.1" }))).toEqual([
                `imageHub: "docker.io/istio" in this stack (dev), but ${WEST} publishes west with "mirror.corp.example/istio"; the stacks of one mesh use one image hub (a primary injects its remotes' proxies from its own), set the same imageHub on both`,
            ]);
            expect(
                problemsWith(primaryStack({ imageHub: "mirror.corp.example/istio" }), fromWest({ imageHub: "mirror.corp.example/istio" })),
            ).toEqual([]);
        });

        it("refuse a remote on a newer minor than its primary, from either side", () => {
            expect(problemsWith(primaryStack({ istioVersion: "1.30.4" }), fromWest({ istioVersion: "1.31.1" }))).toEqual([
                `peers[0]: ${WEST} runs "1.31.1" on remote west, newer than "1.30.4" of its primary east in this stack (dev); a remote may not run a newer Istio minor than its primary: upgrade the primary's stack first`,
            ]);
            expect(problemsWith(remoteStack({ istioVersion: "1.31.1" }), fromEast({ istioVersion: "1.30.5" }))).toEqual([
                `istioVersion: "1.31.1" in this stack (dev) for remotes of east, whose stack ${EAST} runs "1.30.5"; a remote may not run a newer Istio minor than its primary: upgrade the primary's stack first`,
            ]);
        });

        it("accept a primary ahead of its remote, other patches of one minor, and stacks that publish no version yet", () => {
            expect(problemsWith(primaryStack({ istioVersion: "1.31.1" }), fromWest({ istioVersion: "1.30.4" }))).toEqual([]);
            expect(problemsWith(remoteStack({ istioVersion: "1.31.0" }), fromEast({ istioVersion: "1.31.1" }))).toEqual([]);
            expect(problemsWith(remoteStack(), fromEast({}))).toEqual([]);
        });
    });

    it("accept a matching peer and ignore fields they do not know", () => {
        const peers = checkPeers(config, published({ clusters: { west: { ...contract(), future: "x" } as any }, remoteSecrets: secrets }));
        expect(peers.views.get("west")?.remoteSecret).toBe(secrets.west);
        expect(peers.waiting).toEqual([]);
    });

    it("wait, without error, for a stack that has published nothing yet", () => {
        expect(checkPeers(config, published({})).waiting).toEqual([`west: ${WEST} has not published it yet (pulumi up on that stack)`]);
    });

    it.each([
        [
            { contract: 2 },
            `peers[0]: ${WEST} publishes west with contract 2; this program reads contract 1 (run the same major version of the program on both stacks)`,
        ],
        [{ meshId: "other" }, `peers[0]: ${WEST} publishes west in mesh "other", this stack's meshId is "mesh1"`],
        [{ role: "primary" as const }, `peers[0].role: "remote" here, but ${WEST} publishes west as "primary"`],
        [{ network: "net-x" }, `peers[0].network: "net-west" here, but ${WEST} publishes west on "net-x"`],
        [{ primary: "gamma" }, `peers[0].primary: "east" here, but ${WEST} publishes west as a remote of "gamma"`],
    ])("reject a peer that contradicts local config (%j)", (patch, message) => {
        expect(problemsOf({ clusters: { west: contract(patch) }, remoteSecrets: secrets })).toEqual([message]);
    });

    it("reject a secret that arrives empty, as an undecryptable one does", () => {
        expect(problemsOf({ clusters: { west: contract() }, remoteSecrets: {} })).toEqual([
            `peers[0]: the remote secret of west from ${WEST} arrived empty: this stack cannot read that stack's secrets (use the same backend and give this stack access to its secrets provider)`,
        ]);
    });

    it("reject peers that publish different roots", () => {
        const two = parseMeshConfig({
            clusters: [east],
            peers: [
                { name: "west", stack: WEST, role: "remote", network: "net-west", primary: "east" },
                { name: "north", stack: "acme/istio-multicloud/north-team", role: "primary", network: "net-north" },
            ],
        }).config;
        const map = new Map<string, PublishedPeerStack>([
            [WEST, { clusters: { west: contract() }, remoteSecrets: secrets }],
            [
                "acme/istio-multicloud/north-team",
                {
                    clusters: {
                        north: contract({
                            name: "north",
                            role: "primary",
                            primary: undefined,
                            network: "net-north",
                            rootCaFingerprint: "cd".repeat(32),
                        }),
                    },
                    remoteSecrets: { north: "k" },
                },
            ],
        ]);
        expect(() => checkPeers(two, map)).toThrow(/the peers publish different mesh roots/);
    });
});

describe("peer config", () => {
    const problemsOf = (raw: Record<string, unknown>) => {
        try {
            parseMeshConfig(raw);
            return [];
        } catch (e: any) {
            return e.problems as string[];
        }
    };

    it("lets a remote-only stack name its primary among its peers", () => {
        const { config } = parseMeshConfig({
            clusters: [west],
            peers: [{ name: "east", stack: EAST, role: "primary", network: "net-east" }],
        });
        expect(config.peers).toEqual([{ name: "east", stack: EAST, role: "primary", network: "net-east", primary: undefined }]);
    });

    it("rejects clashing names, remotes without a primary and a root owner that is no primary peer", () => {
        expect(
            problemsOf({
                clusters: [east],
                rootCaFrom: "acme/istio-multicloud/north-team",
                peers: [
                    { name: "east", stack: WEST, role: "primary", network: "n" },
                    { name: "south", stack: WEST, role: "remote", network: "n" },
                ],
            }),
        ).toEqual([
            `peers[0].name: "east" is already a cluster of this stack or an earlier peer; names are unique across the mesh`,
            `peers[1].primary: a remote peer needs the name of its primary (primaries: east, east)`,
            `rootCaFrom: "acme/istio-multicloud/north-team" is not the stack of a primary peer (stacks of primary peers: ${WEST})`,
        ]);
    });

    it("rejects a stack name that is not fully qualified", () => {
        expect(problemsOf({ clusters: [east], peers: [{ name: "north", stack: "north-team", role: "primary", network: "n" }] })).toEqual([
            `peers[0].stack: "north-team" is not valid (expected a fully qualified stack name such as acme/istio-multicloud/aks-team)`,
        ]);
    });
});

describe("Pulumi.yaml", () => {
    it("leaves peers undeclared (a list of objects), like clusters", () => {
        const project = parse(require("fs").readFileSync(require("path").join(__dirname, "..", "..", "Pulumi.yaml"), "utf8"));
        expect(Object.keys(project.config)).not.toContain("peers");
    });
});
