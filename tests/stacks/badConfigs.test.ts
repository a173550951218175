/**
 * Bad configs as a user with typos and copy-paste mistakes writes them, each run through the
 * real program under the mock engine (what `pulumi up` runs): every one stops before any
 * resource is registered, names its key path, and prints no part of a secret. Every config here
 * holds real-looking secrets: an existing cluster's kubeconfig with a bearer token and a client
 * key, and a mesh root CA with its private key.
 */
import { evaluateProgram } from "../../tools/plan/evaluate";
import { settle } from "../harness";
import { leafCertPem, otherKeyPem, rootCertPem, rootKeyPem } from "./pki";

type Raw = Record<string, any>;

const token =
    "eyJhbGciOiJSUzI1NiIsImtpZCI6IjNmZDk0OGQyIn0.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50Iiwic3ViIjoic3lzdGVtOnNlcnZpY2VhY2NvdW50OmtpbmQtZGVwbG95In0.c2lnbmF0dXJlLW9mLWEtcmVhbC1sb29raW5nLXRva2Vu";
const clientKeyData =
    "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFb3dJQkFBS0NBUUVBeTNrZXlmb3JhY2xpZW50b2Zvbm1lc2hvbnByZW0KLS0tLS1FTkQgUlNBIFBSSVZBVEUgS0VZLS0tLS0K";
const caData = Buffer.from(rootCertPem).toString("base64");

/** A kubeconfig as a user copies it from a cluster, with a token and a client key. */
function kubeconfigWith(
    cluster: Record<string, unknown>,
    user: Record<string, unknown> = { token, "client-key-data": clientKeyData },
): string {
    const lines = Object.entries(cluster).map(([k, v]) => `    ${k}: ${v}`);
    const userLines = Object.entries(user).map(([k, v]) => `    ${k}: ${v}`);
    return [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: onprem-cluster",
        "  cluster:",
        ...lines,
        "contexts:",
        "- name: onprem-admin@onprem-cluster",
        "  context: { cluster: onprem-cluster, user: onprem-admin }",
        "current-context: onprem-admin@onprem-cluster",
        "users:",
        "- name: onprem-admin",
        "  user:",
        ...userLines,
        "",
    ].join("\n");
}
const kubeconfig = kubeconfigWith({ server: "https://onprem.corp.example:6443", "certificate-authority-data": caData });

/** A valid mesh with every kind of secret: EKS primary, AKS remote, GKE primary, existing remote. */
function base(): Raw {
    return {
        clusters: [
            { name: "alpha", cloud: "aws", region: "us-west-2" },
            { name: "beta", cloud: "azure", region: "eastus", role: "remote", primary: "alpha" },
            { name: "gamma", cloud: "gcp", region: "us-central1", project: "acme-mesh" },
            {
                name: "onprem",
                cloud: "existing",
                role: "remote",
                primary: "alpha",
                eastWestAddress: "203.0.113.10",
                kubernetesVersion: "1.34",
            },
        ],
        kubeconfigs: { onprem: kubeconfig },
        rootCa: { certPem: rootCertPem, keyPem: rootKeyPem },
    };
}

/** A valid kind mesh (kind clusters mesh only with kind or existing ones), with the same secrets. */
function kindBase(): Raw {
    return {
        clusters: [
            { name: "kind-a", cloud: "kind", nodeImage: "kindest/node:v1.34.0", eastWestAddress: "172.18.255.200" },
            {
                name: "kind-b",
                cloud: "kind",
                role: "remote",
                primary: "kind-a",
                nodeImage: "kindest/node:v1.34.0",
                eastWestAddress: "172.18.255.210",
            },
            { name: "onprem", cloud: "existing", role: "remote", primary: "kind-a", eastWestAddress: "172.18.255.220" },
        ],
        kubeconfigs: { onprem: kubeconfig },
        rootCa: { certPem: rootCertPem, keyPem: rootKeyPem },
    };
}

/** A case: what the user got wrong, how, and the key path the error must name. */
type Case = [what: string, change: (raw: Raw) => void, key: string, from?: () => Raw];

const c = (i: number, patch: Raw) => (raw: Raw) => Object.assign(raw.clusters[i], patch);
const drop = (i: number, key: string) => (raw: Raw) => delete raw.clusters[i][key];
const set = (patch: Raw) => (raw: Raw) => Object.assign(raw, patch);
const kube = (k: string) => set({ kubeconfigs: { onprem: k } });
const ca = (patch: Raw) => (raw: Raw) => Object.assign(raw.rootCa, patch);
const withPeer = (peer: Raw, extra: Raw = {}) =>
    set({
        peers: [{ name: "delta", stack: "acme/istio-multicloud/delta-team", role: "primary", network: "net-delta", ...peer }],
        ...extra,
    });
const withTls =
    (tls: Raw, extra: Raw = { demo: true }) =>
    (raw: Raw) => {
        raw.clusters[0].ingress = true;
        Object.assign(raw, { ingressTls: { host: "hello.example.com", credentialName: "hello-tls", ...tls }, ...extra });
    };
const admins = (patch: Raw) => set({ adminPrincipals: patch });
const ARN = "arn:aws:iam::123456789012";

const cases: Case[] = [
    // Mesh-wide keys
    ["meshId not a DNS label", set({ meshId: "Mesh_1" }), "meshId"],
    ["meshId a number", set({ meshId: 7 }), "meshId"],
    ["istioVersion without a patch", set({ istioVersion: "1.31" }), "istioVersion"],
    ["istioVersion of an unsupported minor", set({ istioVersion: "1.29.7" }), "istioVersion"],
    ["istioVersion below 1.30.4", set({ istioVersion: "1.30.3" }), "istioVersion"],
    ["istioVersion a pre-release", set({ istioVersion: "1.31.0-rc.0" }), "istioVersion"],
    ["chartRepository over http", set({ chartRepository: "http://charts.example.com" }), "chartRepository"],
    ["chartRepository retired", set({ chartRepository: "https://istio-release.storage.googleapis.com/charts" }), "chartRepository"],
    ["imageHub with a scheme", set({ imageHub: "https://docker.io/istio" }), "imageHub"],
    ["imageHub retired", set({ imageHub: "gcr.io/istio-release" }), "imageHub"],
    ["protectRootCa not a boolean", set({ protectRootCa: "maybe" }), "protectRootCa"],
    ["demo not a boolean", set({ demo: "yes" }), "demo"],
    ["mtlsMode lowercase", set({ mtlsMode: "strict" }), "mtlsMode"],
    ["trafficPolicy without the demo", set({ trafficPolicy: { localityFailover: true } }), "trafficPolicy"],
    ["trafficPolicy with an unknown key", set({ demo: true, trafficPolicy: { failover: true } }), "trafficPolicy.failover"],
    ["trafficPolicy value not a boolean", set({ demo: true, trafficPolicy: { localityFailover: "on" } }), "trafficPolicy.localityFailover"],
    [
        "ingressTls without any ingress",
        set({ demo: true, ingressTls: { host: "hello.example.com", credentialName: "hello-tls" } }),
        "ingressTls",
    ],
    ["ingressTls host not a DNS name", withTls({ host: "Hello" }), "ingressTls.host"],
    [
        "ingressTls host longer than 253",
        withTls({ host: `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(60)}.com` }),
        "ingressTls.host",
    ],
    ["ingressTls credentialName not a Secret name", withTls({ credentialName: "Hello_TLS" }), "ingressTls.credentialName"],
    ["ingressTls without credentialName", withTls({ credentialName: undefined }), "ingressTls.credentialName"],
    ["an unknown top-level key", set({ meshID: "mesh1" }), "meshID"],
    ["clusters missing", (raw) => delete raw.clusters, "clusters"],
    ["clusters empty", set({ clusters: [] }), "clusters"],
    ["clusters a string", set({ clusters: "alpha" }), "clusters"],
    ["a cluster entry a string", (raw) => (raw.clusters[0] = "alpha"), "clusters[0]"],

    // Names
    ["name with uppercase", c(0, { name: "Alpha" }), "clusters[0].name"],
    ["name missing", drop(0, "name"), "clusters[0].name"],
    ["name twice", c(2, { name: "alpha" }), "clusters[2].name"],
    ["GKE name over 33", c(2, { name: "g".repeat(34) }), "clusters[2].name"],
    ["AKS name over 47", c(1, { name: "b".repeat(48) }), "clusters[1].name"],
    [
        "EKS name whose node role name overflows 64",
        (raw) => {
            raw.clusters[0].name = "a".repeat(51);
            raw.clusters[1].primary = "a".repeat(51);
            raw.clusters[3].primary = "a".repeat(51);
        },
        "clusters[0].name",
    ],
    [
        "kind name whose node container name overflows 63",
        (raw) => {
            raw.clusters[0].name = "k".repeat(50);
            raw.clusters[1].primary = "k".repeat(50);
            raw.clusters[2].primary = "k".repeat(50);
        },
        "clusters[0].name",
        kindBase,
    ],
    [
        "remote secret names that collide (x, x-y, y-z, z)",
        set({
            clusters: [
                { name: "x", cloud: "gcp", region: "us-central1", project: "acme-mesh" },
                { name: "x-y", cloud: "gcp", region: "us-east1", project: "acme-mesh" },
                { name: "y-z", cloud: "azure", region: "eastus", role: "remote", primary: "x" },
                { name: "z", cloud: "azure", region: "westeurope", role: "remote", primary: "x" },
                { name: "onprem", cloud: "existing", role: "remote", primary: "x", eastWestAddress: "203.0.113.10" },
            ],
        }),
        "clusters[1].name",
    ],

    // Cloud and region
    ["cloud unknown", c(2, { cloud: "ibm" }), "clusters[2].cloud"],
    ["cloud missing", drop(2, "cloud"), "clusters[2].cloud"],
    ["AWS region missing", drop(0, "region"), "clusters[0].region"],
    ["AWS region unknown", c(0, { region: "us-west-99" }), "clusters[0].region"],
    ["AWS region an Azure location", c(0, { region: "eastus" }), "clusters[0].region"],
    ["AWS region uppercase", c(0, { region: "US-WEST-2" }), "clusters[0].region"],
    ["AWS region an availability zone", c(0, { region: "us-west-2a" }), "clusters[0].region"],
    ["GCP region a zone", c(2, { region: "us-central1-a" }), "clusters[2].region"],
    ["GCP region uppercase", c(2, { region: "US-CENTRAL1" }), "clusters[2].region"],
    ["Azure location with a space", c(1, { region: "East US" }), "clusters[1].region"],
    ["region on an existing cluster", c(3, { region: "eu-west-1" }), "clusters[3].region"],
    ["region a number", c(0, { region: 5 }), "clusters[0].region"],

    // Networks
    ["network with a bang", c(0, { network: "Net_2!" }), "clusters[0].network"],
    ["network not ASCII", c(0, { network: "réseau" }), "clusters[0].network"],
    ["network empty", c(0, { network: "" }), "clusters[0].network"],
    ["network over 63 characters", c(0, { network: "n".repeat(64) }), "clusters[0].network"],
    ["network starting with a dash", c(0, { network: "-net" }), "clusters[0].network"],
    [
        "default network over 63 characters",
        (raw) => {
            raw.clusters[3].name = "o".repeat(60);
            raw.kubeconfigs = { ["o".repeat(60)]: kubeconfig };
        },
        "clusters[3].network",
    ],

    // Roles
    ["role capitalised", c(1, { role: "Remote" }), "clusters[1].role"],
    ["remote without a primary", drop(1, "primary"), "clusters[1].primary"],
    ["primary not a cluster", c(1, { primary: "zeta" }), "clusters[1].primary"],
    ["primary a remote", c(3, { primary: "beta" }), "clusters[3].primary"],
    ["remote its own primary", c(1, { primary: "beta" }), "clusters[1].primary"],
    ["primary naming a primary", c(2, { primary: "alpha" }), "clusters[2].primary"],
    [
        "no primary at all",
        set({ clusters: [{ name: "beta", cloud: "azure", region: "eastus", role: "remote", primary: "delta" }], kubeconfigs: undefined }),
        "clusters[0].primary",
    ],

    // Kubernetes versions
    ["kubernetesVersion below Istio's range", c(0, { kubernetesVersion: "1.32" }), "clusters[0].kubernetesVersion"],
    ["kubernetesVersion above Istio's range", c(0, { kubernetesVersion: "1.38" }), "clusters[0].kubernetesVersion"],
    ["kubernetesVersion latest", c(0, { kubernetesVersion: "latest" }), "clusters[0].kubernetesVersion"],
    ["kubernetesVersion a YAML number", c(0, { kubernetesVersion: 1.35 }), "clusters[0].kubernetesVersion"],
    ["kubernetesVersion with a patch on EKS", c(0, { kubernetesVersion: "1.35.2" }), "clusters[0].kubernetesVersion"],
    [
        "kubernetesVersion too old for a remote",
        (raw) => {
            raw.istioVersion = "1.30.4";
            raw.clusters[1].kubernetesVersion = "1.32";
        },
        "clusters[1].kubernetesVersion",
    ],
    ["kubernetesVersion on kind", c(0, { kubernetesVersion: "1.34" }), "clusters[0].kubernetesVersion", kindBase],
    ["nodeImage outside Istio's range", c(0, { nodeImage: "kindest/node:v1.32.2" }), "clusters[0].nodeImage", kindBase],

    // Sizing
    ["nodeCount zero", c(0, { nodeCount: 0 }), "clusters[0].nodeCount"],
    ["nodeCount a word", c(0, { nodeCount: "two" }), "clusters[0].nodeCount"],
    ["nodeCount fractional", c(0, { nodeCount: 2.5 }), "clusters[0].nodeCount"],
    ["nodeCount over 100", c(0, { nodeCount: 101 }), "clusters[0].nodeCount"],
    ["nodeCount on an existing cluster", c(3, { nodeCount: 3 }), "clusters[3].nodeCount"],
    ["nodeSize empty", c(0, { nodeSize: "" }), "clusters[0].nodeSize"],
    ["nodeSize too small for a primary", c(0, { nodeSize: "t3.medium" }), "clusters[0].nodeSize"],
    ["zones zero", c(0, { zones: 0 }), "clusters[0].zones"],
    ["zones five", c(0, { zones: 5 }), "clusters[0].zones"],
    ["zones above what the region offers", c(0, { region: "us-west-1", zones: 3 }), "clusters[0].zones"],
    ["zones on GKE", c(2, { zones: 3 }), "clusters[2].zones"],
    ["singleNatGateway not a boolean", c(0, { singleNatGateway: "yes" }), "clusters[0].singleNatGateway"],
    ["singleNatGateway on AKS", c(1, { singleNatGateway: true }), "clusters[1].singleNatGateway"],

    // GCP project and deletion protection
    ["project missing without gcp:project", drop(2, "project"), "clusters[2].project"],
    ["project with uppercase and underscore", c(2, { project: "My_Project" }), "clusters[2].project"],
    ["project too short", c(2, { project: "abc" }), "clusters[2].project"],
    ["project a number", c(2, { project: 7 }), "clusters[2].project"],
    ["project on EKS", c(0, { project: "acme-mesh" }), "clusters[0].project"],
    [
        "gcp:project not a project ID",
        (raw) => {
            delete raw.clusters[2].project;
            raw["gcp:project"] = "Acme Mesh";
        },
        "gcp:project",
    ],
    ["deletionProtection not a boolean", c(2, { deletionProtection: "no" }), "clusters[2].deletionProtection"],
    ["deletionProtection on EKS", c(0, { deletionProtection: false }), "clusters[0].deletionProtection"],

    // Addresses
    ["eastWestAddress not IPv4", c(3, { eastWestAddress: "10.0.0.256" }), "clusters[3].eastWestAddress"],
    ["eastWestAddress a hostname", c(3, { eastWestAddress: "lb.example.com" }), "clusters[3].eastWestAddress"],
    ["eastWestAddress 0.0.0.0", c(3, { eastWestAddress: "0.0.0.0" }), "clusters[3].eastWestAddress"],
    ["eastWestAddress loopback", c(3, { eastWestAddress: "127.0.0.1" }), "clusters[3].eastWestAddress"],
    ["eastWestAddress link-local", c(3, { eastWestAddress: "169.254.10.1" }), "clusters[3].eastWestAddress"],
    ["eastWestAddress multicast", c(3, { eastWestAddress: "224.0.0.5" }), "clusters[3].eastWestAddress"],
    ["eastWestAddress broadcast", c(3, { eastWestAddress: "255.255.255.255" }), "clusters[3].eastWestAddress"],
    ["eastWestAddress on EKS", c(0, { eastWestAddress: "203.0.113.20" }), "clusters[0].eastWestAddress"],
    ["one address on two clusters", c(1, { eastWestAddress: "172.18.255.200" }), "clusters[1].eastWestAddress", kindBase],
    ["ingressAddress equal to eastWestAddress", c(3, { ingress: true, ingressAddress: "203.0.113.10" }), "clusters[3].ingressAddress"],
    [
        "ingressAddress of another cluster's gateway",
        c(1, { ingress: true, ingressAddress: "172.18.255.200" }),
        "clusters[1].ingressAddress",
        kindBase,
    ],
    ["ingressAddress without ingress", c(3, { ingressAddress: "203.0.113.11" }), "clusters[3].ingress"],
    [
        "existing primary with remotes and no eastWestAddress",
        (raw) => {
            raw.clusters[3] = { name: "onprem", cloud: "existing" };
            raw.clusters[1].primary = "onprem";
        },
        "clusters[3].eastWestAddress",
    ],
    ["kind without eastWestAddress", drop(0, "eastWestAddress"), "clusters[0].eastWestAddress", kindBase],
    ["kind ingress without ingressAddress", c(0, { ingress: true }), "clusters[0].ingressAddress", kindBase],
    [
        "kind beside a cloud cluster",
        (raw) => raw.clusters.push({ name: "eks", cloud: "aws", region: "us-west-2" }),
        "clusters[0].cloud",
        kindBase,
    ],
    ["nodeImage without a version tag", c(0, { nodeImage: "kindest/node:latest" }), "clusters[0].nodeImage", kindBase],
    ["nodeImage on EKS", c(0, { nodeImage: "kindest/node:v1.34.0" }), "clusters[0].nodeImage"],

    // Source ranges and gateway switches
    ["eastWestSourceRanges prefix over 32", c(0, { eastWestSourceRanges: ["10.0.0.0/33"] }), "clusters[0].eastWestSourceRanges[0]"],
    ["eastWestSourceRanges without a prefix", c(0, { eastWestSourceRanges: ["203.0.113.0"] }), "clusters[0].eastWestSourceRanges[0]"],
    ["eastWestSourceRanges IPv6", c(0, { eastWestSourceRanges: ["2001:db8::/32"] }), "clusters[0].eastWestSourceRanges[0]"],
    ["ingressSourceRanges a string", c(0, { ingress: true, ingressSourceRanges: "10.0.0.0/8" }), "clusters[0].ingressSourceRanges"],
    ["ingressSourceRanges without ingress", c(0, { ingressSourceRanges: ["10.0.0.0/8"] }), "clusters[0].ingress"],
    ["ingress a string", c(0, { ingress: "true" }), "clusters[0].ingress"],
    ["helloworldVersion v3", c(0, { helloworldVersion: "v3" }), "clusters[0].helloworldVersion"],
    ["an unknown cluster key", c(0, { nodesize: "m5.large" }), "clusters[0].nodesize"],

    // kubeconfigs (secret)
    ["kubeconfig missing for an existing cluster", set({ kubeconfigs: {} }), "kubeconfigs.onprem"],
    ["kubeconfigs given as one string", set({ kubeconfigs: kubeconfig }), "kubeconfigs"],
    ["kubeconfig that is not YAML", kube(`${kubeconfig}\n  token: ${token}\n\t- broken: [`), "kubeconfigs.onprem"],
    ["kubeconfig without a server", kube(kubeconfigWith({ "certificate-authority-data": caData })), "kubeconfigs.onprem"],
    [
        "kubeconfig without an inline CA",
        kube(kubeconfigWith({ server: "https://onprem.corp.example:6443", "insecure-skip-tls-verify": true })),
        "kubeconfigs.onprem",
    ],
    [
        "kubeconfig with a CA file instead of data",
        kube(kubeconfigWith({ server: "https://onprem.corp.example:6443", "certificate-authority": "/etc/onprem/ca.crt" })),
        "kubeconfigs.onprem",
    ],
    [
        "kubeconfig over plain http",
        kube(kubeconfigWith({ server: "http://onprem.corp.example:8080", "certificate-authority-data": caData })),
        "kubeconfigs.onprem",
    ],
    [
        "kubeconfig whose CA data is not a certificate",
        kube(
            kubeconfigWith({
                server: "https://onprem.corp.example:6443",
                "certificate-authority-data": Buffer.from(token).toString("base64"),
            }),
        ),
        "kubeconfigs.onprem",
    ],
    ["kubeconfig empty", kube(""), "kubeconfigs.onprem"],
    ["kubeconfig a YAML list", kube(`- ${token}\n- ${clientKeyData}\n`), "kubeconfigs.onprem"],
    ["kubeconfig a number", set({ kubeconfigs: { onprem: 12345 } }), "kubeconfigs.onprem"],
    ["kubeconfig for a cluster that is not existing", set({ kubeconfigs: { onprem: kubeconfig, alpha: kubeconfig } }), "kubeconfigs.alpha"],

    // rootCa (secret)
    ["rootCa key without its PEM armour", ca({ keyPem: rootKeyPem.split("\n").slice(1, -2).join("\n") }), "rootCa.keyPem"],
    ["rootCa key garbled inside its armour", ca({ keyPem: rootKeyPem.replace(/\n[A-Za-z0-9+/]{10}/, "\n!!!!!!!!!!") }), "rootCa.keyPem"],
    ["rootCa key of another certificate", ca({ keyPem: otherKeyPem }), "rootCa.keyPem"],
    ["rootCa certificate missing", (raw) => delete raw.rootCa.certPem, "rootCa.certPem"],
    ["rootCa certificate not a CA", ca({ certPem: leafCertPem }), "rootCa.certPem"],
    ["rootCa with an unknown key", ca({ key: rootKeyPem }), "rootCa.key"],
    ["rootCa given as one string", set({ rootCa: `${rootCertPem}${rootKeyPem}` }), "rootCa"],
    ["rootCa beside rootCaFrom", withPeer({}, { rootCaFrom: "acme/istio-multicloud/delta-team" }), "rootCa"],

    // rootCaFrom and peers
    [
        "rootCaFrom not fully qualified",
        (raw) => {
            delete raw.rootCa;
            raw.rootCaFrom = "eks-team";
        },
        "rootCaFrom",
    ],
    [
        "rootCaFrom not a primary peer's stack",
        (raw) => {
            delete raw.rootCa;
            raw.rootCaFrom = "acme/istio-multicloud/other";
        },
        "rootCaFrom",
    ],
    ["peers not a list", set({ peers: { name: "delta" } }), "peers"],
    ["peer name with uppercase", withPeer({ name: "Delta" }), "peers[0].name"],
    ["peer stack not fully qualified", withPeer({ stack: "delta-team" }), "peers[0].stack"],
    ["peer without a role", withPeer({ role: undefined }), "peers[0].role"],
    ["peer network not a label value", withPeer({ network: "Net 1" }), "peers[0].network"],
    ["peer without a network", withPeer({ network: undefined }), "peers[0].network"],
    ["peer named like a cluster here", withPeer({ name: "alpha" }), "peers[0].name"],
    ["remote peer without a primary", withPeer({ role: "remote" }), "peers[0].primary"],
    ["primary peer naming a primary", withPeer({ primary: "alpha" }), "peers[0].primary"],
    ["peer with an unknown key", withPeer({ region: "us-east-1" }), "peers[0].region"],

    // Admin principals
    ["AWS admin not an ARN", admins({ aws: ["alice"] }), "adminPrincipals.aws[0]"],
    [
        "AWS admin an assumed-role session",
        admins({ aws: ["arn:aws:sts::123456789012:assumed-role/ci/session-1"] }),
        "adminPrincipals.aws[0]",
    ],
    ["AWS admin an IAM group", admins({ aws: [`${ARN}:group/admins`] }), "adminPrincipals.aws[0]"],
    ["AWS admin listed twice", admins({ aws: [`${ARN}:role/ci`, `${ARN}:role/ci`] }), "adminPrincipals.aws[1]"],
    ["AWS admins with one access-entry key", admins({ aws: [`${ARN}:role/team/ci`, `${ARN}:role/team-ci`] }), "adminPrincipals.aws[1]"],
    ["Azure admin not a GUID", admins({ azure: ["alice@example.com"] }), "adminPrincipals.azure[0]"],
    [
        "Azure admin listed twice",
        admins({ azure: ["00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000001"] }),
        "adminPrincipals.azure[1]",
    ],
    ["GCP admin without a member type", admins({ gcp: ["alice@example.com"] }), "adminPrincipals.gcp[0]"],
    ["GCP admin user without an email", admins({ gcp: ["user:alice"] }), "adminPrincipals.gcp[0]"],
    ["GCP admin service account outside gserviceaccount.com", admins({ gcp: ["serviceAccount:ci@example.com"] }), "adminPrincipals.gcp[0]"],
    ["GCP admin listed twice", admins({ gcp: ["group:admins@example.com", "group:admins@example.com"] }), "adminPrincipals.gcp[1]"],
    ["GCP admins with one binding name", admins({ gcp: ["user:a_b@example.com", "user:a+b@example.com"] }), "adminPrincipals.gcp[1]"],
    ["adminPrincipals of an unknown cloud", admins({ oci: ["ocid1.user.oc1..aaaa"] }), "adminPrincipals.oci"],
    ["adminPrincipals a string", set({ adminPrincipals: `${ARN}:role/ci` }), "adminPrincipals"],
];

/** Every string inside the secret keys of a config, and each of its lines. */
function secretFragments(raw: Raw): string[] {
    const out: string[] = [token, clientKeyData];
    const walk = (v: unknown) => {
        if (typeof v === "string") {
            out.push(
                ...v
                    .split("\n")
                    .map((l) => l.trim())
                    .filter((l) => l.length >= 12 && !l.startsWith("-----")),
            );
        } else if (v && typeof v === "object") Object.values(v).forEach(walk);
    };
    walk(raw.kubeconfigs);
    walk(raw.rootCa);
    return [...new Set(out)];
}

/** Runs the program with a config, capturing everything it printed. */
async function run(raw: Raw) {
    const printed: string[] = [];
    const capture = (stream: NodeJS.WriteStream) => {
        const write = stream.write.bind(stream);
        stream.write = ((chunk: unknown, ...rest: unknown[]) => {
            printed.push(String(chunk));
            return write(chunk as string, ...(rest as []));
        }) as typeof stream.write;
        return () => (stream.write = write);
    };
    const restore = [capture(process.stdout), capture(process.stderr)];
    const consoleSpies = (["log", "info", "warn", "error", "debug"] as const).map((m) =>
        jest.spyOn(console, m).mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(" "))),
    );
    try {
        const config = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
        const evaluation = await evaluateProgram(config, { secretKeys: ["kubeconfigs", "rootCa"] });
        await settle();
        return { evaluation, printed: [...printed, ...evaluation.warnings, evaluation.error?.message ?? ""].join("\n") };
    } finally {
        restore.forEach((r) => r());
        consoleSpies.forEach((s) => s.mockRestore());
    }
}

describe("the bad-config table", () => {
    it("has at least 100 cases, each of a different mistake", () => {
        expect(cases.length).toBeGreaterThanOrEqual(100);
        expect(new Set(cases.map(([what]) => what)).size).toBe(cases.length);
    });

    it.each([
        ["the cloud mesh", base],
        ["the kind mesh", kindBase],
    ])("starts from a valid config that holds secrets: %s registers resources", async (_, from) => {
        const { evaluation } = await run(from());
        expect(evaluation.error).toBeUndefined();
        expect(evaluation.rec.all.length).toBeGreaterThan(10);
    });

    it.each(cases.map(([what, change, key, from]) => ({ what, change, key, from: from ?? base })))(
        "$what: stops before any resource, naming $key, printing no secret",
        async ({ change, key, from }) => {
            const raw = from();
            change(raw);
            for (const entry of raw.clusters ?? []) {
                if (entry && typeof entry === "object") for (const k of Object.keys(entry)) if (entry[k] === undefined) delete entry[k];
            }
            if (Array.isArray(raw.peers)) for (const p of raw.peers) for (const k of Object.keys(p)) if (p[k] === undefined) delete p[k];
            if (raw.ingressTls) for (const k of Object.keys(raw.ingressTls)) if (raw.ingressTls[k] === undefined) delete raw.ingressTls[k];
            const { evaluation, printed } = await run(raw);
            expect(evaluation.error?.configError).toBe(true);
            const problems = evaluation
                .error!.message.split("\n")
                .filter((l) => l.startsWith("  - "))
                .map((l) => l.slice(4));
            expect(problems).toEqual(
                expect.arrayContaining([expect.stringMatching(new RegExp(`^${key.replace(/[[\].]/g, "\\$&")}[:.\\[]`))]),
            );
            expect(evaluation.rec.all).toEqual([]);
            expect(printed).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // no stack trace
            for (const fragment of secretFragments(raw)) expect(printed).not.toContain(fragment);
        },
    );
});
