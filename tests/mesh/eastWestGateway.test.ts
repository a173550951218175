import { Recorder, reveal } from "../harness";
import { meshes, runMesh } from "../stacks/fixtures";

describe("east-west gateways of the five-cluster mesh", () => {
    const config = meshes["five-cluster"];
    const clusters = config.clusters as { name: string; cloud: string; network: string }[];
    let rec: Recorder;

    beforeAll(async () => {
        ({ rec } = await runMesh(config));
    });

    const serviceOf = (cluster: string) =>
        rec.ofType("kubernetes:core/v1:Service").find((s) => rec.providerOf(s)?.name === cluster)!;

    it.each(clusters)("fronts $name's gateway with an IPv4 single-stack LoadBalancer on Istio's ports", ({ name, network }) => {
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
        expect(service.inputs.spec.ports.map((p: any) => [p.name, p.port, p.targetPort])).toEqual([
            ["status-port", 15021, 15021],
            ["tls", 15443, 15443],
            ["tls-istiod", 15012, 15012],
            ["tls-webhook", 15017, 15017],
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
                { name: "a", cloud: "gcp", region: "us-east1", project: "acme-mesh", eastWestSourceRanges: ["203.0.113.0/24", "198.51.100.7/32"] },
                { name: "b", cloud: "gcp", region: "us-west1", project: "acme-mesh" },
            ],
        });
        const spec = (cluster: string) =>
            rec.ofType("kubernetes:core/v1:Service").find((s) => rec.providerOf(s)?.name === cluster)!.inputs.spec;
        expect(spec("a").loadBalancerSourceRanges).toEqual(["203.0.113.0/24", "198.51.100.7/32"]);
        expect(spec("b").loadBalancerSourceRanges).toBeUndefined();
    });
});
