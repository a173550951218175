import {
    credentialsInText,
    defaultDevStacks,
    eastWestSourceRanges,
    eksPublicEndpoint,
    gkeDeletionProtection,
    isUnknownValueError,
    kubernetesExplicitProvider,
    meshMtlsOnEveryPrimary,
    meshMtlsStrict,
    noCredentialsInPlainConfig,
    policies,
    stackOfUrn,
} from "../../policy/policies";
import { clusterProvider, defaultProvider, ResourceSpec, resourceArgs, stackViolations, unknowns, urnOf, violations } from "./harness";

const PA = "kubernetes:security.istio.io/v1:PeerAuthentication";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const eks = clusterProvider("eks-west");
const aks = clusterProvider("aks-east");
const gke = clusterProvider("gke-central");

function peerAuthentication(
    mode: unknown,
    provider = eks,
    extra: { name?: string; namespace?: string; selector?: unknown } = {},
): ResourceSpec {
    return {
        type: PA,
        name: `${provider.name}-mtls`,
        provider,
        props: {
            apiVersion: "security.istio.io/v1",
            kind: "PeerAuthentication",
            metadata: { name: extra.name ?? "default", namespace: extra.namespace ?? "istio-system" },
            spec: { ...(mode === undefined ? {} : { mtls: { mode } }), ...(extra.selector ? { selector: extra.selector } : {}) },
        },
    };
}

/** The istiod release as the program writes it (values of controlPlane.ts). */
function istiod(provider: typeof eks, values: unknown, chart = "istiod"): ResourceSpec {
    return {
        type: RELEASE,
        name: `${provider.name}-istiod`,
        provider,
        props: { name: "istiod", chart, namespace: "istio-system", values },
    };
}
const primaryValues = (cluster: string, network: string) => ({
    global: { meshID: "mesh1", multiCluster: { clusterName: cluster }, network },
});
const remoteValues = {
    profile: "remote",
    global: {
        meshID: "mesh1",
        multiCluster: { clusterName: "aks-east" },
        network: "network2",
        configCluster: true,
        remotePilotAddress: "203.0.113.7",
    },
    istiodRemote: { injectionPath: "/inject/cluster/aks-east/net/network2" },
};

// A kubeconfig as istioctl create-remote-secret writes it (token shortened but JWT-shaped).
const saToken =
    "eyJhbGciOiJSUzI1NiIsImtpZCI6ImFiYyJ9.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50Iiwic3ViIjoic3lzdGVtOnNlcnZpY2VhY2NvdW50In0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbi1hYmNkZWY";
const remoteKubeconfig = `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
    server: https://203.0.113.20:443
  name: aks-east
contexts:
- context: { cluster: aks-east, user: aks-east }
  name: aks-east
current-context: aks-east
users:
- name: aks-east
  user:
    token: ${saToken}
`;
const privateKey =
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB\n-----END RSA PRIVATE KEY-----\n";
const rootCert = "-----BEGIN CERTIFICATE-----\nMIIFazCCA1OgAwIBAgIUQ3VzdG9tIHJvb3Q=\n-----END CERTIFICATE-----\n";

describe("the pack", () => {
    it("holds the six guardrails as seven policies, mandatory where a violation is a security hole", () => {
        expect(policies.map((p) => [p.name, p.enforcementLevel])).toEqual([
            ["mesh-mtls-strict", "mandatory"],
            ["mesh-mtls-on-every-primary", "mandatory"],
            ["kubernetes-explicit-provider", "mandatory"],
            ["no-credentials-in-plain-config", "mandatory"],
            ["eastwest-gateway-source-ranges", "advisory"],
            ["eks-public-endpoint-restricted", "advisory"],
            ["gke-deletion-protection", "advisory"],
        ]);
    });

    it("declares the config it reads, with the defaults the code falls back to", () => {
        expect(meshMtlsStrict.configSchema?.properties.mtlsMode).toMatchObject({ enum: ["STRICT", "PERMISSIVE"], default: "STRICT" });
        expect(gkeDeletionProtection.configSchema?.properties.devStacks).toMatchObject({ type: "array", default: ["dev", "local"] });
        expect(defaultDevStacks).toEqual(["dev", "local"]);
    });

    it("follows the SDK's rules: unique names, none called all, no enforcementLevel in a schema", () => {
        const names = policies.map((p) => p.name);
        expect(new Set(names).size).toBe(names.length);
        expect(names).not.toContain("all");
        for (const p of policies) expect(p.configSchema?.properties.enforcementLevel).toBeUndefined();
    });
});

describe("mesh-mtls-strict", () => {
    it("accepts a mesh-wide STRICT policy", async () => {
        expect(await violations(meshMtlsStrict, peerAuthentication("STRICT"))).toEqual([]);
    });

    it("refuses PERMISSIVE while the pack's mtlsMode is STRICT (the default), naming the cluster", async () => {
        const found = await violations(meshMtlsStrict, peerAuthentication("PERMISSIVE", gke));
        expect(found).toEqual([
            expect.stringMatching(
                /^PeerAuthentication istio-system\/default in cluster gke-central has spec.mtls.mode "PERMISSIVE"; mesh-wide mTLS must be STRICT/,
            ),
        ]);
    });

    it("accepts PERMISSIVE once the pack's mtlsMode is PERMISSIVE, and STRICT still", async () => {
        const config = { mtlsMode: "PERMISSIVE" };
        expect(await violations(meshMtlsStrict, { ...peerAuthentication("PERMISSIVE"), config })).toEqual([]);
        expect(await violations(meshMtlsStrict, { ...peerAuthentication("STRICT"), config })).toEqual([]);
    });

    it("refuses DISABLE and a missing mode whatever the switch says", async () => {
        const config = { mtlsMode: "PERMISSIVE" };
        expect(await violations(meshMtlsStrict, { ...peerAuthentication("DISABLE"), config })).toEqual([
            expect.stringMatching(/"DISABLE"; mesh-wide mTLS must be STRICT or PERMISSIVE/),
        ]);
        expect(await violations(meshMtlsStrict, peerAuthentication(undefined))).toEqual([
            expect.stringMatching(/no spec.mtls.mode \(Istio then falls back to PERMISSIVE\)/),
        ]);
    });

    it("refuses a selector on the mesh-wide policy: it would apply to some workloads only", async () => {
        const found = await violations(meshMtlsStrict, peerAuthentication("STRICT", eks, { selector: { matchLabels: { app: "x" } } }));
        expect(found).toEqual([expect.stringMatching(/has a selector, so it is not mesh-wide/)]);
    });

    it("leaves namespace and workload policies alone", async () => {
        expect(await violations(meshMtlsStrict, peerAuthentication("PERMISSIVE", eks, { namespace: "legacy" }))).toEqual([]);
        expect(await violations(meshMtlsStrict, peerAuthentication("PERMISSIVE", eks, { name: "allow-plaintext-probe" }))).toEqual([]);
    });

    it("waits for `pulumi up` when the mode is not known during preview (the SDK reports that)", async () => {
        const error = await violations(meshMtlsStrict, peerAuthentication(unknowns.string)).catch((e) => e);
        expect(isUnknownValueError(error)).toBe(true);
    });
});

describe("mesh-mtls-on-every-primary (stack)", () => {
    const devStack = (): ResourceSpec[] => [
        istiod(eks, {
            ...primaryValues("eks-west", "network1"),
            global: { ...primaryValues("eks-west", "network1").global, externalIstiod: true },
            autoscaleMin: 2,
        }),
        peerAuthentication("STRICT", eks),
        istiod(aks, remoteValues),
        istiod(gke, primaryValues("gke-central", "network3")),
        peerAuthentication("STRICT", gke),
    ];

    it("passes the dev stack's shape: both primaries have one, the remote needs none", async () => {
        expect(await stackViolations(meshMtlsOnEveryPrimary, devStack())).toEqual([]);
    });

    it("reports a primary without a mesh-wide PeerAuthentication, at its istiod release", async () => {
        const resources = devStack().filter((r) => !(r.type === PA && r.provider === gke));
        const found = await stackViolations(meshMtlsOnEveryPrimary, resources);
        expect(found).toEqual([
            {
                message: expect.stringMatching(
                    /^Cluster gke-central runs istiod as a primary .* but has no PeerAuthentication "default" in istio-system/,
                ),
                urn: urnOf(istiod(gke, {})),
            },
        ]);
    });

    it("does not count a PeerAuthentication written to another cluster (a remote ignores it)", async () => {
        const resources = [
            istiod(eks, primaryValues("eks-west", "network1")),
            peerAuthentication("STRICT", aks),
            istiod(aks, remoteValues),
        ];
        const found = await stackViolations(meshMtlsOnEveryPrimary, resources);
        expect(found.map((f) => f.message)).toEqual([expect.stringMatching(/^Cluster eks-west /)]);
    });

    it("does not count one in another namespace or under another name", async () => {
        const resources = [
            istiod(eks, primaryValues("eks-west", "network1")),
            peerAuthentication("STRICT", eks, { namespace: "default" }),
            peerAuthentication("STRICT", eks, { name: "mesh" }),
        ];
        expect(await stackViolations(meshMtlsOnEveryPrimary, resources)).toHaveLength(1);
    });

    it("recognises istiod from an OCI registry or a mirror", async () => {
        const resources = [istiod(eks, primaryValues("eks-west", "network1"), "oci://ghcr.io/istio/release/charts/istiod")];
        expect(await stackViolations(meshMtlsOnEveryPrimary, resources)).toHaveLength(1);
    });

    it("skips a release whose values are not known yet instead of guessing its role", async () => {
        const resources = [istiod(aks, unknowns.object)];
        expect(await stackViolations(meshMtlsOnEveryPrimary, resources)).toEqual([]);
    });
});

describe("kubernetes-explicit-provider", () => {
    const service = (provider?: typeof eks): ResourceSpec => ({
        type: "kubernetes:core/v1:Service",
        name: "svc",
        provider,
        props: { metadata: { name: "x" } },
    });

    it("accepts a resource on its cluster's provider", async () => {
        expect(await violations(kubernetesExplicitProvider, service(eks))).toEqual([]);
    });

    it("refuses the default provider", async () => {
        expect(await violations(kubernetesExplicitProvider, service(defaultProvider()))).toEqual([
            expect.stringMatching(
                /uses the default Kubernetes provider \(urn:pulumi:dev::istio-multicloud::pulumi:providers:kubernetes::default_4_34_2\)/,
            ),
        ]);
    });

    it("refuses a resource with no provider at all", async () => {
        expect(await violations(kubernetesExplicitProvider, service(undefined))).toEqual([
            expect.stringMatching(/has no Kubernetes provider/),
        ]);
    });

    it("accepts a cluster whose name merely starts with default", async () => {
        expect(await violations(kubernetesExplicitProvider, service(clusterProvider("default-cluster")))).toEqual([]);
    });

    it("checks Helm releases and Istio objects too, but not components, providers or other clouds", async () => {
        expect(await violations(kubernetesExplicitProvider, { type: RELEASE, name: "r", props: {} })).toHaveLength(1);
        expect(await violations(kubernetesExplicitProvider, { type: PA, name: "pa", props: {} })).toHaveLength(1);
        expect(await violations(kubernetesExplicitProvider, { type: "kubernetes:helm.sh/v3:Chart", name: "c", props: {} })).toEqual([]);
        expect(await violations(kubernetesExplicitProvider, { type: "pulumi:providers:kubernetes", name: "p", props: {} })).toEqual([]);
        expect(await violations(kubernetesExplicitProvider, { type: "aws:ec2/eip:Eip", name: "e", props: {} })).toEqual([]);
    });
});

describe("no-credentials-in-plain-config", () => {
    const configMap = (data: Record<string, string>, binaryData?: Record<string, string>): ResourceSpec => ({
        type: "kubernetes:core/v1:ConfigMap",
        name: "cm",
        provider: eks,
        props: { metadata: { name: "cm", namespace: "default" }, data, ...(binaryData ? { binaryData } : {}) },
    });

    it("finds a kubeconfig in a ConfigMap", async () => {
        const found = await violations(noCredentialsInPlainConfig, configMap({ "aks-east": remoteKubeconfig }));
        expect(found).toEqual([expect.stringMatching(/^kubernetes:core\/v1:ConfigMap "cm": data\["aks-east"\] holds .*a kubeconfig/)]);
    });

    it("finds a PEM private key, also base64-encoded in binaryData", async () => {
        expect(await violations(noCredentialsInPlainConfig, configMap({ "tls.key": privateKey }))).toEqual([
            expect.stringMatching(/data\["tls.key"\] holds a PEM private key/),
        ]);
        const encoded = Buffer.from(privateKey).toString("base64");
        expect(await violations(noCredentialsInPlainConfig, configMap({}, { key: encoded }))).toEqual([
            expect.stringMatching(/binaryData.key holds a PEM private key/),
        ]);
        expect(await violations(noCredentialsInPlainConfig, configMap({ "client.yaml": `client-key-data: ${encoded}` }))).toEqual([
            expect.stringMatching(/holds a base64-encoded PEM private key/),
        ]);
    });

    it("finds a bearer token and a `token:` key", async () => {
        expect(await violations(noCredentialsInPlainConfig, configMap({ auth: `Bearer ${saToken}` }))).toEqual([
            expect.stringMatching(/data.auth holds a JWT-shaped bearer token/),
        ]);
        expect(
            await violations(noCredentialsInPlainConfig, configMap({ "settings.yaml": "endpoint: https://x\ntoken: s3cr3t-value\n" })),
        ).toEqual([expect.stringMatching(/holds a `token:` key with a value/)]);
        expect(await violations(noCredentialsInPlainConfig, configMap({ "settings.json": '{"token":"s3cr3t"}' }))).toHaveLength(1);
    });

    it("never repeats the credential in its message", async () => {
        const found = await violations(
            noCredentialsInPlainConfig,
            configMap({ a: remoteKubeconfig, b: privateKey, c: "token: s3cr3t-value" }),
        );
        expect(found).toHaveLength(3);
        for (const message of found) {
            expect(message).not.toContain(saToken.slice(0, 20));
            expect(message).not.toContain("MIIEowIBAAKCAQEA");
            expect(message).not.toContain("s3cr3t");
        }
    });

    it("lets public material and empty tokens through: Istio's own istio-ca-root-cert, CA data, blank keys", async () => {
        expect(await violations(noCredentialsInPlainConfig, configMap({ "root-cert.pem": rootCert }))).toEqual([]);
        expect(
            await violations(
                noCredentialsInPlainConfig,
                configMap({ "ca.yaml": 'certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==\ntoken: ""\n' }),
            ),
        ).toEqual([]);
        expect(
            await violations(
                noCredentialsInPlainConfig,
                configMap({ mesh: "defaultConfig:\n  proxyMetadata: {}\ntrustDomain: cluster.local\n" }),
            ),
        ).toEqual([]);
    });

    it("checks the annotations of every Kubernetes resource", async () => {
        const service: ResourceSpec = {
            type: "kubernetes:core/v1:Service",
            name: "svc",
            provider: eks,
            props: { metadata: { name: "x", annotations: { "example.com/auth": saToken } } },
        };
        expect(await violations(noCredentialsInPlainConfig, service)).toEqual([
            expect.stringMatching(/metadata.annotations\["example.com\/auth"\] holds a JWT-shaped bearer token/),
        ]);
        // kubectl's last-applied copy of a Secret would leak its data into an annotation.
        const lastApplied: ResourceSpec = {
            type: "kubernetes:core/v1:Secret",
            name: "s",
            provider: eks,
            props: {
                metadata: {
                    annotations: {
                        "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify({ stringData: { "tls.key": privateKey } }),
                    },
                },
            },
        };
        expect(await violations(noCredentialsInPlainConfig, lastApplied)).toHaveLength(1);
    });

    it("leaves Secrets' data alone: that is where credentials go (remote secrets, cacerts, reader tokens)", async () => {
        const remoteSecret: ResourceSpec = {
            type: "kubernetes:core/v1:Secret",
            name: "eks-west-remote-aks-east",
            provider: eks,
            props: {
                metadata: {
                    name: "istio-remote-secret-aks-east",
                    namespace: "istio-system",
                    labels: { "istio/multiCluster": "true" },
                    annotations: { "networking.istio.io/cluster": "aks-east" },
                },
                stringData: { "aks-east": remoteKubeconfig },
            },
        };
        const readerToken: ResourceSpec = {
            type: "kubernetes:core/v1:Secret",
            name: "reader",
            provider: aks,
            props: {
                metadata: { annotations: { "kubernetes.io/service-account.name": "istio-reader-service-account" } },
                type: "kubernetes.io/service-account-token",
            },
        };
        expect(await violations(noCredentialsInPlainConfig, remoteSecret)).toEqual([]);
        expect(await violations(noCredentialsInPlainConfig, readerToken)).toEqual([]);
    });

    it("checks Helm values at any depth: token keys, kubeconfig objects, keys in strings", async () => {
        const release = (values: unknown): ResourceSpec => ({
            type: RELEASE,
            name: "r",
            provider: eks,
            props: { chart: "istiod", values },
        });
        expect(await violations(noCredentialsInPlainConfig, release(primaryValues("eks-west", "network1")))).toEqual([]);
        expect(await violations(noCredentialsInPlainConfig, release(remoteValues))).toEqual([]);
        expect(await violations(noCredentialsInPlainConfig, release({ global: { remote: { token: "abc123" } } }))).toEqual([
            expect.stringMatching(/values.global.remote.token holds a `token:` key with a value/),
        ]);
        expect(
            await violations(
                noCredentialsInPlainConfig,
                release({ extra: [{ kubeconfig: { apiVersion: "v1", kind: "Config", users: [] } }] }),
            ),
        ).toEqual([expect.stringMatching(/values.extra\[0\].kubeconfig holds a kubeconfig/)]);
        expect(await violations(noCredentialsInPlainConfig, release({ env: { CREDS: privateKey } }))).toEqual([
            expect.stringMatching(/values.env.CREDS holds a PEM private key/),
        ]);
        expect(await violations(noCredentialsInPlainConfig, release({ token: "" }))).toEqual([]);
    });

    it("checks what is known during preview and skips what is not", async () => {
        const release: ResourceSpec = {
            type: RELEASE,
            name: "r",
            provider: aks,
            props: { values: { global: { remotePilotAddress: unknowns.string }, token: "abc123" } },
        };
        expect(await violations(noCredentialsInPlainConfig, release)).toHaveLength(1);
        expect(await violations(noCredentialsInPlainConfig, { ...configMap({}), props: { data: unknowns.object } })).toEqual([]);
    });

    it("recognises each kind of credential in text", () => {
        expect(credentialsInText(remoteKubeconfig)).toEqual(
            expect.arrayContaining(["a kubeconfig", "a JWT-shaped bearer token", "a `token:` key with a value"]),
        );
        expect(credentialsInText(JSON.stringify({ apiVersion: "v1", kind: "Config", clusters: [] }))).toEqual(["a kubeconfig"]);
        expect(credentialsInText("-----BEGIN OPENSSH PRIVATE KEY-----")).toEqual(["a PEM private key"]);
        expect(credentialsInText("-----BEGIN PRIVATE KEY-----")).toEqual(["a PEM private key"]);
        expect(credentialsInText("token: null\ntoken: ~\n")).toEqual([]);
        expect(credentialsInText("apiVersion: v1\nkind: ConfigMap\n")).toEqual([]);
    });
});

describe("eastwest-gateway-source-ranges", () => {
    const gateway = (spec: Record<string, unknown>, name = "istio-eastwestgateway"): ResourceSpec => ({
        type: "kubernetes:core/v1:Service",
        name: "eks-west-eastwest-service",
        provider: eks,
        props: { metadata: { name, namespace: "istio-system" }, spec: { type: "LoadBalancer", ...spec } },
    });

    it("warns when the load balancer has no source ranges, saying which sources need which port", async () => {
        const [message, ...rest] = await violations(eastWestSourceRanges, gateway({}));
        expect(rest).toEqual([]);
        expect(message).toMatch(/^Service istio-eastwestgateway in cluster eks-west has no spec.loadBalancerSourceRanges/);
        expect(message).toMatch(/eastWestSourceRanges/);
        expect(message).toMatch(/15443 \(mTLS between networks\) from the other networks' east-west gateway and egress IPs/);
        expect(message).toMatch(/15012 and 15017 .* from the API servers and nodes of its remotes/);
        expect(message).toMatch(/15021 \(status\) from the cloud's load-balancer health checkers/);
    });

    it("warns when the ranges include the whole internet", async () => {
        expect(await violations(eastWestSourceRanges, gateway({ loadBalancerSourceRanges: ["203.0.113.0/24", "0.0.0.0/0"] }))).toEqual([
            expect.stringMatching(/allows 0.0.0.0\/0/),
        ]);
        expect(await violations(eastWestSourceRanges, gateway({ loadBalancerSourceRanges: ["::/0"] }))).toHaveLength(1);
    });

    it("accepts a list of the mesh's addresses", async () => {
        expect(
            await violations(eastWestSourceRanges, gateway({ loadBalancerSourceRanges: ["203.0.113.7/32", "198.51.100.0/28"] })),
        ).toEqual([]);
    });

    it("leaves other Services alone: the ingress gateway, a ClusterIP gateway", async () => {
        expect(await violations(eastWestSourceRanges, gateway({}, "istio-ingressgateway"))).toEqual([]);
        expect(await violations(eastWestSourceRanges, gateway({ type: "ClusterIP" }))).toEqual([]);
    });
});

describe("eks-public-endpoint-restricted", () => {
    const eksCluster = (props: Record<string, unknown>): ResourceSpec => ({ type: "eks:index:Cluster", name: "eks-west", props });
    const awsCluster = (vpcConfig: Record<string, unknown>): ResourceSpec => ({
        type: "aws:eks/cluster:Cluster",
        name: "eks-west-eksCluster",
        props: { vpcConfig },
    });

    it("warns about a public endpoint without CIDRs (EKS then allows 0.0.0.0/0), suggesting egress IPs and CI", async () => {
        const found = await violations(eksPublicEndpoint, eksCluster({ endpointPublicAccess: true, endpointPrivateAccess: true }));
        expect(found).toEqual([
            expect.stringMatching(/public API endpoint without publicAccessCidrs .* clusters\.\*\.egressIps.* CI runners/),
        ]);
    });

    it("warns about 0.0.0.0/0, on the eks component and on the aws resource", async () => {
        expect(await violations(eksPublicEndpoint, eksCluster({ endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] }))).toEqual([
            expect.stringMatching(/open to 0.0.0.0\/0/),
        ]);
        expect(
            await violations(eksPublicEndpoint, awsCluster({ endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] })),
        ).toHaveLength(1);
        expect(await violations(eksPublicEndpoint, awsCluster({ subnetIds: ["subnet-1"] }))).toHaveLength(1);
    });

    it("accepts a list of addresses, or a private endpoint", async () => {
        expect(
            await violations(eksPublicEndpoint, eksCluster({ endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.7/32"] })),
        ).toEqual([]);
        expect(await violations(eksPublicEndpoint, eksCluster({ endpointPublicAccess: false }))).toEqual([]);
        expect(
            await violations(eksPublicEndpoint, awsCluster({ endpointPublicAccess: true, publicAccessCidrs: ["198.51.100.0/24"] })),
        ).toEqual([]);
    });
});

describe("gke-deletion-protection", () => {
    const gkeCluster = (stack: string, deletionProtection?: boolean, config?: Record<string, unknown>): ResourceSpec => ({
        type: "gcp:container/cluster:Cluster",
        name: "gke-central",
        stack,
        config,
        props: deletionProtection === undefined ? { name: "gke-central-abc123" } : { name: "gke-central-abc123", deletionProtection },
    });

    it("warns when protection is off outside the dev stacks", async () => {
        expect(await violations(gkeDeletionProtection, gkeCluster("prod", false))).toEqual([
            expect.stringMatching(/deletionProtection false in stack "prod", which is not a dev stack \(dev, local\)/),
        ]);
    });

    it("lets dev and local go without it, and says nothing when it is on or left to its default", async () => {
        expect(await violations(gkeDeletionProtection, gkeCluster("dev", false))).toEqual([]);
        expect(await violations(gkeDeletionProtection, gkeCluster("local", false))).toEqual([]);
        expect(await violations(gkeDeletionProtection, gkeCluster("prod", true))).toEqual([]);
        expect(await violations(gkeDeletionProtection, gkeCluster("prod"))).toEqual([]);
    });

    it("takes the dev stacks from the pack's config", async () => {
        const config = { devStacks: ["sandbox"] };
        expect(await violations(gkeDeletionProtection, gkeCluster("sandbox", false, config))).toEqual([]);
        expect(await violations(gkeDeletionProtection, gkeCluster("dev", false, config))).toHaveLength(1);
    });

    it("reads the stack from the resource's URN", () => {
        expect(stackOfUrn(resourceArgs(gkeCluster("prod")).urn)).toBe("prod");
    });
});
