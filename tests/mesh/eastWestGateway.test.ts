import { Recorder, Registration, reveal } from "../harness";
import { meshes, runMesh } from "../stacks/fixtures";

describe("east-west gateways of the five-cluster mesh", () => {
    const config = meshes["five-cluster"];
    const clusters = config.clusters as { name: string; cloud: string; network: string }[];
    let rec: Recorder;

    beforeAll(async () => {
        ({ rec } = await runMesh(config));
    });

    const serviceOf = (cluster: string) => rec.ofType("kubernetes:core/v1:Service").find((s) => rec.providerOf(s)?.name === cluster)!;

    it.each(clusters)("fronts $name's gateway with an IPv4 single-stack LoadBalancer on the Istio ports it serves", ({ name, network }) => {
        const service = serviceOf(name);
        expect(service.inputs.metadata).toMatchObject({
            name: "istio-eastwestgateway",
            namespace: "istio-system",
            labels: { "topology.istio.io/network": network, istio: "eastwestgateway", app: "istio-eastwestgateway" },
        });
        expect(service.inputs.spec).toMatchObject({
            type: "LoadBalancer",
            selector: { istio: "eastwestgateway", app: "istio-eastwestgateway" },
            ipFamilyPolicy: "SingleStack",
            ipFamilies: ["IPv4"],
        });
        // istiod's ports only where istiod is served: on the primaries, which both have remotes here.
        const servesRemotes = name === "eks-west" || name === "gke-central";
        expect(service.inputs.spec.ports.map((p: any) => [p.name, p.port, p.targetPort])).toEqual([
            ["status-port", 15021, 15021],
            ["tls", 15443, 15443],
            ...(servesRemotes
                ? [
                      ["tls-istiod", 15012, 15012],
                      ["tls-webhook", 15017, 15017],
                  ]
                : []),
        ]);
        // Clouds read the binding only when they create the load balancer.
        expect(service.replaceOnChanges).toEqual(["metadata.annotations", "spec.loadBalancerIP"]);
        expect(service.deleteBeforeReplace).toBe(true);
        const release = rec
            .ofType("kubernetes:helm.sh/v3:Release")
            .find((r) => rec.providerOf(r)?.name === name && r.inputs.name === "istio-eastwestgateway")!;
        expect(reveal(release.inputs.values)).toEqual({
            name: "istio-eastwestgateway",
            networkGateway: network,
            service: { type: "None" },
        });
    });

    it("binds the NLB on AWS to the program's Elastic IPs, one per public subnet in the same order, cross-zone", () => {
        const annotations = serviceOf("eks-west").inputs.metadata.annotations;
        const eips = rec
            .ofType("aws:ec2/eip:Eip")
            .filter((e) => rec.ancestors(e).some((a) => a.name === "eks-west") && /eastwest/.test(e.name));
        expect(eips).toHaveLength(2);
        expect(annotations["service.beta.kubernetes.io/aws-load-balancer-type"]).toBe("nlb");
        expect(annotations["service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled"]).toBe("true");
        const allocations = annotations["service.beta.kubernetes.io/aws-load-balancer-eip-allocations"].split(",");
        const subnets = annotations["service.beta.kubernetes.io/aws-load-balancer-subnets"].split(",");
        expect(allocations).toHaveLength(2);
        expect(subnets).toHaveLength(2);
        expect(new Set(allocations).size).toBe(2);
        expect(annotations["service.beta.kubernetes.io/aws-load-balancer-internal"]).toBeUndefined();
        expect(annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"]).toBeUndefined();
    });

    it("binds Azure's load balancer to a static public IP by name and resource group, without an HTTP probe", () => {
        const annotations = serviceOf("aks-east").inputs.metadata.annotations;
        expect(Object.keys(annotations).sort()).toEqual([
            "service.beta.kubernetes.io/azure-load-balancer-resource-group",
            "service.beta.kubernetes.io/azure-pip-name",
        ]);
        const ip = rec
            .ofType("azure-native:network:PublicIPAddress")
            .find((r) => r.inputs.publicIpAddressName === annotations["service.beta.kubernetes.io/azure-pip-name"]);
        expect(ip?.inputs).toMatchObject({ publicIPAllocationMethod: "Static", sku: { name: "Standard" } });
    });

    it("gives GCP's load balancer the regional static address as its loadBalancerIP", () => {
        const service = serviceOf("gke-central");
        expect(service.inputs.spec.loadBalancerIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    });

    it("lets an existing cluster without a configured address take whatever its load balancer gives", () => {
        const service = serviceOf("onprem");
        expect(service.inputs.spec.loadBalancerIP).toBeUndefined();
        expect(service.inputs.metadata.annotations).toBeUndefined();
    });
});

describe("east-west source ranges", () => {
    it("limit who reaches the east-west load balancer when configured, and leave it open otherwise", async () => {
        const { rec } = await runMesh({
            clusters: [
                {
                    name: "a",
                    cloud: "gcp",
                    region: "us-east1",
                    project: "acme-mesh",
                    eastWestSourceRanges: ["203.0.113.0/24", "198.51.100.7/32"],
                },
                { name: "b", cloud: "gcp", region: "us-west1", project: "acme-mesh" },
            ],
        });
        const spec = (cluster: string) =>
            rec.ofType("kubernetes:core/v1:Service").find((s) => rec.providerOf(s)?.name === cluster)!.inputs.spec;
        expect(spec("a").loadBalancerSourceRanges).toEqual(["203.0.113.0/24", "198.51.100.7/32"]);
        expect(spec("b").loadBalancerSourceRanges).toBeUndefined();
    });
});

describe("least exposure on the east-west load balancers", () => {
    const SERVICE = "kubernetes:core/v1:Service";
    const eastWest = (rec: Recorder, cluster: string) => rec.oneIn(SERVICE, cluster, "istio-eastwestgateway");
    const ports = (r: Registration) => r.inputs.spec.ports.map((p: any) => p.port);
    const withRemote = {
        clusters: [
            { name: "hub", cloud: "gcp", region: "us-east1", project: "acme-mesh" },
            { name: "spoke", cloud: "azure", region: "westeurope", role: "remote", primary: "hub" },
        ],
    };
    const alone = { clusters: [withRemote.clusters[0]] };

    it("opens istiod's ports only on a primary that serves remotes, never on a remote or a lone primary", async () => {
        const { rec } = await runMesh(withRemote);
        expect(ports(eastWest(rec, "hub"))).toEqual([15021, 15443, 15012, 15017]);
        expect(ports(eastWest(rec, "spoke"))).toEqual([15021, 15443]);
        const multi = (await runMesh(meshes["multi-primary"])).rec;
        expect(ports(eastWest(multi, "alpha"))).toEqual([15021, 15443]);
        expect(ports(eastWest(multi, "beta"))).toEqual([15021, 15443]);
        // What the load balancer opens matches what istiod-gateway routes.
        expect(multi.inCluster("kubernetes:networking.istio.io/v1:Gateway", "alpha", "istiod-gateway")).toEqual([]);
    });

    it("opens istiod's ports on a primary whose remote another stack owns", async () => {
        const { rec } = await runMesh({
            ...alone,
            peers: [{ name: "far", stack: "org/istio-multicloud/far", role: "remote", primary: "hub", network: "net-far" }],
        });
        expect(ports(eastWest(rec, "hub"))).toEqual([15021, 15443, 15012, 15017]);
    });

    it("closes them in place when the primary loses its last remote: same Service, same address binding, only ports differ", async () => {
        const before = eastWest((await runMesh(withRemote)).rec, "hub");
        const after = eastWest((await runMesh(alone)).rec, "hub");
        // Nothing that replaces a Service differs: the replaceOnChanges paths, and what
        // pulumi-kubernetes itself replaces a Service for (name, namespace, spec.type, spec.clusterIP).
        for (const service of [before, after]) {
            expect(service.replaceOnChanges).toEqual(["metadata.annotations", "spec.loadBalancerIP"]);
            expect(service.replaceOnChanges.filter((path) => path.startsWith("spec.ports"))).toEqual([]);
        }
        expect(after.name).toBe(before.name);
        expect(reveal(after.inputs.metadata)).toEqual(reveal(before.inputs.metadata));
        const { ports: p1, ...rest1 } = reveal(before.inputs.spec);
        const { ports: p2, ...rest2 } = reveal(after.inputs.spec);
        expect(rest2).toEqual(rest1);
        expect(rest2.loadBalancerIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        expect([p1.length, p2.length]).toEqual([4, 2]);
    });
});
