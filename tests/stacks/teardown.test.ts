import { Recorder, Registration } from "../harness";
import { meshes, runMesh } from "./fixtures";

// What each cloud's east-west load balancer needs while it exists: `pulumi destroy` must
// delete the Service (and wait for its finalizer) before any of these.
const mustOutlive: Record<string, string[]> = {
    aws: [
        "eks:index:Cluster",
        "eks:index:ManagedNodeGroup",
        "aws:ec2/eip:Eip",
        "command:local:Command",
        "aws:ec2/vpc:Vpc",
        "aws:ec2/subnet:Subnet",
        "aws:ec2/natGateway:NatGateway",
    ],
    azure: [
        "azure-native:containerservice:ManagedCluster",
        "azure-native:network:PublicIPAddress",
        "command:local:Command",
        "azure-native:authorization:RoleAssignment",
        "azure-native:network:VirtualNetwork",
        "azure-native:resources:ResourceGroup",
    ],
    gcp: [
        "gcp:container/cluster:Cluster",
        "gcp:container/nodePool:NodePool",
        "gcp:compute/address:Address",
        "command:local:Command",
        "gcp:compute/network:Network",
        "gcp:compute/subnetwork:Subnetwork",
    ],
};

describe("teardown of the five-cluster mesh, every cloud cluster with an ingress gateway too", () => {
    const five = meshes["five-cluster"];
    const clusters = (five.clusters as { name: string; cloud: string }[]).map((c) =>
        c.cloud === "existing" ? c : { ...c, ingress: true },
    );
    const config = { ...five, clusters };
    let rec: Recorder;

    beforeAll(async () => {
        ({ rec } = await runMesh(config));
    });

    const loadBalancers = (cluster: string) =>
        rec
            .ofType("kubernetes:core/v1:Service")
            .filter((s) => rec.providerOf(s)?.name === cluster && s.inputs.spec?.type === "LoadBalancer");
    const cloudResources = (cluster: string, type: string): Registration[] =>
        rec.ofType(type).filter((r) => rec.ancestors(r).some((a) => a.name === cluster && a.type.startsWith("istio-multicloud:clusters:")));

    it.each(clusters.filter((c) => c.cloud !== "existing"))(
        "deletes $name's load-balancer Services before its cluster, nodes, static addresses and network",
        ({ name, cloud }) => {
            const services = loadBalancers(name);
            expect(services.map((s) => s.inputs.metadata.name).sort()).toEqual(["istio-eastwestgateway", "istio-ingressgateway"]);
            for (const type of mustOutlive[cloud]) {
                const resources = cloudResources(name, type);
                expect({ type, count: resources.length > 0 }).toEqual({ type, count: true });
                // Each Service needs its own static addresses, not the other gateway's.
                const otherGateways = (svc: Registration) => (svc.inputs.metadata.name === "istio-ingressgateway" ? /eastwest/ : /ingress/);
                const pairs = services.flatMap((svc) =>
                    resources.filter((res) => !otherGateways(svc).test(res.name)).map((res) => [svc, res] as const),
                );
                for (const [service, r] of pairs) {
                    expect({ service: service.name, outlives: r.name, ok: rec.dependsOn(service, r) }).toEqual({
                        service: service.name,
                        outlives: r.name,
                        ok: true,
                    });
                }
            }
        },
    );

    // What holds each static address until the cloud has let go of it, and what the wait's delete polls.
    const releases: Record<string, { address: string; nodes: string; polls: RegExp }> = {
        aws: {
            address: "aws:ec2/eip:Eip",
            nodes: "eks:index:ManagedNodeGroup",
            polls: /aws ec2 describe-addresses --region us-(west-2|east-1) --filters Name=allocation-id,Values=eipalloc-[0-9a-f]+,eipalloc-[0-9a-f]+ /,
        },
        azure: {
            address: "azure-native:network:PublicIPAddress",
            nodes: "azure-native:containerservice:ManagedCluster",
            polls: /az network public-ip list --resource-group \S+ --query "\[\?name=='[^']+'\]\.ipConfiguration\.id"/,
        },
        gcp: {
            address: "gcp:compute/address:Address",
            nodes: "gcp:container/nodePool:NodePool",
            polls: /gcloud compute addresses list .*IN_USE.*gcloud compute firewall-rules list .*name~\^k8s-fw- AND description~\d+\.\d+\.\d+\.\d+/s,
        },
    };

    it.each(clusters.filter((c) => c.cloud !== "existing"))(
        "waits, on destroy, between each of $name's load-balancer Services and its static addresses until the cloud has released them",
        ({ name, cloud }) => {
            const { address, nodes, polls } = releases[cloud];
            for (const service of loadBalancers(name)) {
                const purpose = service.inputs.metadata.name === "istio-ingressgateway" ? "ingress" : "eastwest";
                const wait = rec.one("command:local:Command", `${name}-${purpose}-released`);
                const held = cloudResources(name, address).filter((a) => a.name.includes(purpose));
                expect(held.length).toBeGreaterThan(0);
                // Service before the wait before the addresses; the wait before the nodes, so the cloud controller still runs.
                expect(rec.dependsOn(service, wait)).toBe(true);
                expect(held.map((a) => rec.dependsOn(wait, a))).toEqual(held.map(() => true));
                expect(rec.dependsOn(wait, cloudResources(name, nodes)[0])).toBe(true);
                // Only a delete step, bounded, with no machine's profile in state.
                expect(wait.inputs.create).toBeUndefined();
                expect(wait.inputs.delete).toMatch(polls);
                expect(wait.inputs.delete).toContain("deadline=$(( $(date +%s) + 600 ))");
                expect(wait.inputs.delete).not.toMatch(/--profile|AWS_PROFILE/);
                expect(wait.inputs.environment).toBeUndefined();
            }
        },
    );

    it("waits for every load balancer to be gone: no skipAwait, generous delete timeouts", () => {
        const services = rec.ofType("kubernetes:core/v1:Service").filter((s) => s.inputs.spec?.type === "LoadBalancer");
        // An east-west gateway everywhere, an ingress gateway on the four cloud clusters.
        expect(services).toHaveLength(clusters.length + 4);
        for (const s of services) {
            expect(s.inputs.metadata.annotations?.["pulumi.com/skipAwait"]).toBeUndefined();
            expect(s.customTimeouts?.delete).toBe("20m");
        }
        for (const release of rec.ofType("kubernetes:helm.sh/v3:Release")) {
            expect(release.inputs.skipAwait).not.toBe(true);
            // A Release's own timeout governs its uninstall wait; AKS can take over 5 minutes.
            expect(release.inputs.timeout).toBeGreaterThan(300);
        }
    });

    it("sets customTimeouts only where the engine applies them: never on Helm releases or eks components", () => {
        for (const r of rec.all.filter((x) => x.type === "kubernetes:helm.sh/v3:Release" || x.type.startsWith("eks:index:"))) {
            // The SDK sends an empty CustomTimeouts message when none are set.
            const set = Object.values(r.customTimeouts ?? {}).filter((t) => t !== "");
            expect({ resource: r.name, customTimeouts: set }).toEqual({ resource: r.name, customTimeouts: [] });
        }
    });

    it("binds the Azure load balancer's static IP through a role its identity holds until the Service is gone", () => {
        const [service] = loadBalancers("aks-east");
        const assignments = cloudResources("aks-east", "azure-native:authorization:RoleAssignment").filter((r) =>
            String(r.inputs.roleDefinitionId).endsWith("4d97b98b-1d4f-4787-a291-c67834d212e7"),
        );
        expect(assignments).toHaveLength(1);
        expect(rec.dependsOn(service, assignments[0])).toBe(true);
    });
});
