import * as gcp from "@pulumi/gcp";
import { GkeCluster, GkeClusterArgs, NO_MINOR_UPGRADES_SINCE, validateGkeClusterArgs } from "../../components/clusters/gke";
import { isSecret, Recorder, Registration, resolve, reveal, settle, startMockEngine } from "../harness";
import { gcpPublicIp, GKE_CA_DATA } from "../../tools/synthetic/outputs/gcp";
import { runMesh } from "../stacks/fixtures";

const SERVICE = "gcp:projects/service:Service";
const NETWORK = "gcp:compute/network:Network";
const SUBNET = "gcp:compute/subnetwork:Subnetwork";
const ROUTER = "gcp:compute/router:Router";
const NAT = "gcp:compute/routerNat:RouterNat";
const ADDRESS = "gcp:compute/address:Address";
const FIREWALL = "gcp:compute/firewall:Firewall";
const GKE = "gcp:container/cluster:Cluster";
const POOL = "gcp:container/nodePool:NodePool";
const IAM = "gcp:projects/iAMMember:IAMMember";

const admins = ["serviceAccount:ci@proj-delta.iam.gserviceaccount.com", "group:platform@example.com"];

/** Args of a typical cluster; `provider` is filled in by `build`. */
function argsFor(overrides: Partial<GkeClusterArgs> = {}): Omit<GkeClusterArgs, "provider"> {
    return {
        role: "remote",
        network: "network-delta",
        project: "proj-delta",
        region: "europe-west1",
        kubernetesVersion: "1.33",
        nodeCount: 1,
        nodeSize: "e2-standard-4",
        deletionProtection: true,
        nodeDisk: { sizeGb: 50, type: "pd-standard", explicit: false },
        adminMembers: admins,
        loadBalancerAddresses: ["eastwest"],
        ...overrides,
    };
}

interface Built {
    rec: Recorder;
    cluster: GkeCluster;
    /** The random suffix of GCP names. */
    suffix: string;
    gke: Registration;
}

async function build(overrides: Partial<GkeClusterArgs> = {}): Promise<Built> {
    const rec = startMockEngine({});
    const provider = new gcp.Provider("gcp-delta", { project: "proj-delta", region: "europe-west1" });
    const cluster = new GkeCluster("delta", { ...argsFor(overrides), provider });
    await settle();
    const gke = rec.one(GKE, "delta");
    const match = /^delta-([a-z0-9]{6})$/.exec(gke.inputs.name);
    expect(match).not.toBeNull();
    return { rec, cluster, suffix: match![1], gke };
}

const idOf = (r: Registration) => `${r.name}-id`;
const selfLinkOf = (r: Registration) =>
    `https://www.googleapis.com/compute/v1/projects/${r.inputs.project}/regions/${r.inputs.region}/addresses/${r.inputs.name}`;

describe("GkeCluster project services", () => {
    it("enables the container and compute APIs, and leaves them enabled on destroy", async () => {
        const { rec } = await build();
        const services = rec.ofType(SERVICE);
        expect(services.map((s) => s.inputs.service).sort()).toEqual(["compute.googleapis.com", "container.googleapis.com"]);
        for (const s of services) {
            expect(s.inputs).toMatchObject({ project: "proj-delta", disableOnDestroy: false, disableDependentServices: false });
        }
    });

    it("creates every network and cluster resource only after both APIs are on", async () => {
        const { rec } = await build();
        const services = rec.ofType(SERVICE);
        const dependents = [NETWORK, SUBNET, ROUTER, NAT, ADDRESS, FIREWALL, GKE, POOL].flatMap((t) => rec.ofType(t));
        expect(dependents.length).toBeGreaterThanOrEqual(9);
        for (const r of dependents) {
            for (const s of services) {
                expect({ r: r.name, s: s.inputs.service, waits: rec.dependsOn(r, s) }).toEqual({
                    r: r.name,
                    s: s.inputs.service,
                    waits: true,
                });
            }
        }
    });
});

describe("GkeCluster network", () => {
    it("builds a custom-mode VPC with a node subnet and secondary ranges the cluster uses for pods and services", async () => {
        const { rec, gke } = await build();
        const vpc = rec.one(NETWORK, "delta-vpc");
        expect(vpc.inputs.autoCreateSubnetworks).toBe(false);
        const subnet = rec.one(SUBNET, "delta-subnet");
        expect(subnet.inputs).toMatchObject({
            region: "europe-west1",
            network: idOf(vpc),
            ipCidrRange: "10.2.0.0/20",
            secondaryIpRanges: [
                { rangeName: "pods", ipCidrRange: "10.4.0.0/14" },
                { rangeName: "services", ipCidrRange: "10.3.0.0/20" },
            ],
        });
        expect(gke.inputs.network).toBe(idOf(vpc));
        expect(gke.inputs.subnetwork).toBe(idOf(subnet));
        expect(gke.inputs.ipAllocationPolicy).toMatchObject({
            clusterSecondaryRangeName: "pods",
            servicesSecondaryRangeName: "services",
        });
    });

    it("sends the private nodes' egress through Cloud NAT from one static address, reported in egressIps", async () => {
        const { rec, cluster, suffix } = await build();
        const router = rec.one(ROUTER, "delta-router");
        expect(router.inputs).toMatchObject({ region: "europe-west1", network: idOf(rec.one(NETWORK, "delta-vpc")) });
        const egress = rec.one(ADDRESS, "delta-egress");
        expect(egress.inputs).toMatchObject({ name: `delta-egress-${suffix}`, region: "europe-west1", addressType: "EXTERNAL" });
        const nat = rec.one(NAT, "delta-nat");
        expect(nat.inputs).toMatchObject({
            region: "europe-west1",
            router: router.inputs.name,
            natIpAllocateOption: "MANUAL_ONLY",
            natIps: [selfLinkOf(egress)],
            sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
        });
        expect((await resolve(cluster.egressIps)).value).toEqual([gcpPublicIp(34, `proj-delta/europe-west1/delta-egress-${suffix}`)]);
        // Nodes pull images through the NAT: they wait for it.
        expect(rec.dependsOn(rec.one(POOL, "delta-pool"), nat)).toBe(true);
    });

    it("lets the control plane reach the nodes on TCP 15017 for Istio's injection webhook", async () => {
        const { rec, gke } = await build();
        const masterCidr = gke.inputs.privateClusterConfig.masterIpv4CidrBlock;
        expect(masterCidr).toBe("172.16.0.0/28");
        const rules = rec.ofType(FIREWALL);
        expect(rules).toHaveLength(1);
        expect(rules[0].inputs).toMatchObject({
            network: idOf(rec.one(NETWORK, "delta-vpc")),
            direction: "INGRESS",
            sourceRanges: [masterCidr],
            allows: [{ protocol: "tcp", ports: ["15017"] }],
        });
        // Whatever waits for the nodes (istiod, the webhook's clients) also waits for the rule.
        expect(rec.dependsOn(rec.one(POOL, "delta-pool"), rules[0])).toBe(true);
    });
});

describe("GkeCluster control plane and nodes", () => {
    it("creates a regional cluster with private nodes, a public endpoint and no default node pool", async () => {
        const { gke, suffix } = await build();
        expect(gke.inputs).toMatchObject({
            name: `delta-${suffix}`,
            project: "proj-delta",
            location: "europe-west1",
            removeDefaultNodePool: true,
            initialNodeCount: 1,
            privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: false },
            workloadIdentityConfig: { workloadPool: "proj-delta.svc.id.goog" },
        });
        expect(gke.inputs.nodePools).toBeUndefined();
    });

    it("sizes the temporary default pool's disks like the pool's, at creation only (a change would replace the cluster)", async () => {
        const { gke } = await build({ nodeDisk: { sizeGb: 40, type: "pd-standard", explicit: true } });
        expect(gke.inputs.nodeConfig).toEqual({ diskSizeGb: 40, diskType: "pd-standard" });
        expect(gke.ignoreChanges).toEqual(["nodeConfig"]);
    });

    it("gives a deployed pool's disks to new pools only while they are the defaults, and applies configured ones", async () => {
        const defaults = (await build()).rec.one(POOL, "delta-pool");
        expect(defaults.inputs.nodeConfig).toMatchObject({ diskSizeGb: 50, diskType: "pd-standard" });
        // A pool deployed with GKE's 100 GB pd-balanced keeps it: no node is recreated.
        expect(defaults.ignoreChanges.sort()).toEqual(["nodeConfig.diskSizeGb", "nodeConfig.diskType"]);
        const chosen = (await build({ nodeDisk: { sizeGb: 80, type: "pd-balanced", explicit: true } })).rec.one(POOL, "delta-pool");
        expect(chosen.inputs.nodeConfig).toMatchObject({ diskSizeGb: 80, diskType: "pd-balanced" });
        expect(chosen.ignoreChanges).toEqual([]);
    });

    it("pins the minor version: REGULAR channel with a NO_MINOR_UPGRADES exclusion until end of support", async () => {
        const { gke } = await build({ kubernetesVersion: "1.34" });
        expect(gke.inputs.minMasterVersion).toBe("1.34");
        expect(gke.inputs.releaseChannel).toEqual({ channel: "REGULAR" });
        const policy = gke.inputs.maintenancePolicy;
        expect(policy.dailyMaintenanceWindow.startTime).toMatch(/^\d\d:\d\d$/);
        expect(policy.maintenanceExclusions).toHaveLength(1);
        expect(policy.maintenanceExclusions[0]).toMatchObject({
            startTime: NO_MINOR_UPGRADES_SINCE,
            exclusionOptions: { scope: "NO_MINOR_UPGRADES", endTimeBehavior: "UNTIL_END_OF_SUPPORT" },
        });
        // GKE takes one of endTime and endTimeBehavior.
        expect(policy.maintenanceExclusions[0].endTime).toBeUndefined();
    });

    it("keeps the exclusion's start time fixed, so previews do not drift", async () => {
        const first = (await build()).gke.inputs.maintenancePolicy.maintenanceExclusions[0].startTime;
        await new Promise((r) => setTimeout(r, 1100));
        const second = (await build()).gke.inputs.maintenancePolicy.maintenanceExclusions[0].startTime;
        expect(second).toBe(first);
    });

    it("passes deletion protection through as given", async () => {
        expect((await build({ deletionProtection: true })).gke.inputs.deletionProtection).toBe(true);
        expect((await build({ deletionProtection: false })).gke.inputs.deletionProtection).toBe(false);
    });

    it("runs nodeCount nodeSize nodes per zone in one auto-upgraded, auto-repaired pool the mesh waits on", async () => {
        const { rec, cluster, gke } = await build({ nodeCount: 2, nodeSize: "e2-standard-8" });
        const pool = rec.one(POOL, "delta-pool");
        expect(pool.inputs).toMatchObject({
            project: "proj-delta",
            cluster: gke.inputs.name,
            location: "europe-west1",
            nodeCount: 2,
            nodeConfig: { machineType: "e2-standard-8", oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"] },
            management: { autoRepair: true, autoUpgrade: true },
        });
        expect(cluster.nodesReady.map((r) => (r as any).__name)).toEqual(["delta-pool"]);
    });

    it("refuses bad args before creating anything, naming the property", () => {
        const ok = { ...argsFor(), provider: undefined as any };
        expect(() => validateGkeClusterArgs("delta", { ...ok, nodeCount: 1.5 })).toThrow(/nodeCount/);
        expect(() => validateGkeClusterArgs("delta", { ...ok, loadBalancerAddresses: ["eastwest", "eastwest"] })).toThrow(
            /"eastwest" twice/,
        );
        expect(() => validateGkeClusterArgs("delta", { ...ok, loadBalancerAddresses: ["EastWest"] })).toThrow(
            /loadBalancerAddresses entry "EastWest"/,
        );
        // GKE cluster names (name + 7-character suffix) are limited to 40 characters.
        expect(() => validateGkeClusterArgs("d".repeat(34), ok)).toThrow(/GKE cluster name/);
        expect(() => validateGkeClusterArgs("Delta", ok)).toThrow(/GKE cluster name "Delta"/);
        expect(() => validateGkeClusterArgs("d".repeat(33), ok)).not.toThrow();
    });
});

describe("GkeCluster access and addresses", () => {
    it("keeps each admin member's roles/container.admin on the project as before, and never deletes it", async () => {
        const { rec } = await build();
        const grants = rec.ofType(IAM).filter((g) => g.inputs.role === "roles/container.admin");
        expect(grants.map((g) => g.inputs.member).sort()).toEqual([...admins].sort());
        for (const g of grants) {
            // Same name, same inputs as existing stacks have: no replacement.
            expect(g.name).toBe(`delta-admin-${g.inputs.member.replace(/:/g, "-")}`);
            expect(g.inputs).toEqual({ project: "proj-delta", role: "roles/container.admin", member: g.inputs.member });
            // Its unconditional binding is shared by every stack of the project: destroy forgets it.
            expect(g.retainOnDelete).toBe(true);
        }
    });

    it("makes user and service-account admins cluster-admin through RBAC in this cluster only", async () => {
        const { rec, cluster } = await build({ adminMembers: [...admins, "user:alice@example.com"] });
        const binding = rec.one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "delta-admins");
        expect(rec.clusterOf(binding)).toBe("delta");
        expect(rec.providerOf(binding)?.urn).toBe((await resolve(cluster.provider.urn)).value);
        expect(binding.inputs.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" });
        // GKE authenticates both as a Kubernetes User named by the email; a group needs Google Groups for RBAC.
        expect(binding.inputs.subjects).toEqual([
            { apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "ci@proj-delta.iam.gserviceaccount.com" },
            { apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "alice@example.com" },
        ]);
    });

    it("grants them the project role GKE needs to authenticate in a binding of this cluster's own", async () => {
        const { rec, gke } = await build();
        const viewers = rec.ofType(IAM).filter((g) => g.inputs.role === "roles/container.clusterViewer");
        expect(viewers.map((g) => g.inputs.member)).toEqual(["serviceAccount:ci@proj-delta.iam.gserviceaccount.com"]);
        const [viewer] = viewers;
        expect(viewer.inputs.project).toBe("proj-delta");
        // IAM keys a binding by role and condition; the title names this cluster (a project-unique
        // name), so another stack's or cluster's destroy removes the member from its own binding only.
        expect(viewer.inputs.condition).toEqual({
            title: `istio-multicloud ${gke.inputs.name}`,
            description: `Access to GKE cluster ${gke.inputs.name} (its RBAC grants the rest); removed with that cluster's stack`,
            expression: `request.time < timestamp("2999-12-31T00:00:00Z")`,
        });
        expect(viewer.inputs.condition.title.length).toBeLessThanOrEqual(100);
        expect(viewer.retainOnDelete).toBe(false);
        // Objects in the cluster are deleted while the grant still lets the admin in.
        const binding = rec.one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "delta-admins");
        expect(rec.dependsOn(binding, viewer)).toBe(true);
    });

    it("gives two clusters of one project different bindings for the same member", async () => {
        const { rec } = await runMesh({
            adminPrincipals: { gcp: ["serviceAccount:ci@acme-mesh.iam.gserviceaccount.com"] },
            clusters: [
                { name: "one", cloud: "gcp", region: "us-east1", project: "acme-mesh" },
                { name: "two", cloud: "gcp", region: "us-west1", project: "acme-mesh" },
            ],
        });
        const titles = rec
            .ofType(IAM)
            .filter((g) => g.inputs.role === "roles/container.clusterViewer")
            .map((g) => g.inputs.condition.title);
        expect(titles).toHaveLength(2);
        expect(new Set(titles).size).toBe(2);
    });

    it("reserves a regional premium IPv4 per purpose and binds it through spec.loadBalancerIP", async () => {
        const { rec, cluster, suffix } = await build({ loadBalancerAddresses: ["eastwest", "ingress"] });
        expect(Object.keys(cluster.addresses).sort()).toEqual(["eastwest", "ingress"]);
        for (const purpose of ["eastwest", "ingress"]) {
            const reg = rec.one(ADDRESS, `delta-address-${purpose}`);
            expect(reg.inputs).toMatchObject({
                name: `delta-${purpose}-${suffix}`,
                project: "proj-delta",
                region: "europe-west1",
                addressType: "EXTERNAL",
                ipVersion: "IPV4",
                networkTier: "PREMIUM",
            });
            const address = cluster.addresses[purpose];
            const ip = gcpPublicIp(34, `proj-delta/europe-west1/delta-${purpose}-${suffix}`);
            expect((await resolve(address.ip)).value).toBe(ip);
            expect((await resolve(address.loadBalancerIP!)).value).toBe(ip);
            expect((await resolve(address.annotations)).value).toEqual({});
            expect(address.dependencies.map((r) => (r as any).__name)).toEqual([`delta-address-${purpose}`, `delta-${purpose}-released`]);
        }
    });

    it("gives every static address 20 minutes to be released on delete", async () => {
        const { rec } = await build();
        const addresses = rec.ofType(ADDRESS);
        expect(addresses).toHaveLength(2);
        for (const a of addresses) {
            expect({ name: a.name, delete: a.customTimeouts?.delete }).toEqual({ name: a.name, delete: "20m" });
        }
    });
});

describe("GkeCluster handle", () => {
    it("manages every GCP resource through the given provider, under the component", async () => {
        const { rec } = await build();
        const component = rec.one("istio-multicloud:clusters:GkeCluster", "delta");
        const resources = rec.all.filter((r) => r.type.startsWith("gcp:"));
        expect(resources.length).toBeGreaterThanOrEqual(13);
        for (const r of resources) {
            expect({ name: r.name, provider: rec.providerOf(r)?.name }).toEqual({ name: r.name, provider: "gcp-delta" });
            expect({ name: r.name, parent: r.parent }).toEqual({ name: r.name, parent: component.urn });
        }
    });

    it("hands the mesh a Kubernetes provider named after the cluster, using gke-gcloud-auth-plugin, as a secret", async () => {
        const { rec, cluster } = await build();
        expect(cluster.name).toBe("delta");
        expect(cluster.cloud).toBe("gcp");
        expect(cluster.role).toBe("remote");
        expect(cluster.network).toBe("network-delta");
        const provider = rec.one("pulumi:providers:kubernetes", "delta");
        expect(isSecret(provider.inputs.kubeconfig)).toBe(true);
        const kubeconfig = await resolve(cluster.kubeconfig);
        expect(kubeconfig.secret).toBe(true);
        expect(reveal<string>(provider.inputs.kubeconfig)).toBe(kubeconfig.value);
        const doc = JSON.parse(kubeconfig.value);
        const endpoint = gcpPublicIp(35, `endpoint:proj-delta/${rec.one(GKE, "delta").inputs.name}`);
        expect(doc.clusters[0].cluster).toEqual({ server: `https://${endpoint}`, "certificate-authority-data": GKE_CA_DATA });
        expect(doc.users[0].user.exec).toMatchObject({
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "gke-gcloud-auth-plugin",
            provideClusterInfo: true,
        });
        expect(doc.users[0].user.exec.installHint).toEqual(expect.any(String));
        expect(doc["current-context"]).toBe(doc.contexts[0].name);
    });

    it("reports the API server URL and CA, neither secret", async () => {
        const { cluster, gke } = await build();
        const endpoint = gcpPublicIp(35, `endpoint:proj-delta/${gke.inputs.name}`);
        expect(await resolve(cluster.apiServerUrl)).toEqual({ value: `https://${endpoint}`, secret: false });
        expect(await resolve(cluster.certificateAuthorityData)).toEqual({ value: GKE_CA_DATA, secret: false });
    });
});
