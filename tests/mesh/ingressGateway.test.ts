import { Recorder, resolve, reveal } from "../harness";
import { gatewayValueErrors } from "../stacks/chartValues";
import { existingKubeconfig, meshes, runMesh } from "../stacks/fixtures";
import type { MeshOutputs } from "../../stacks/mesh";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const SERVICE = "kubernetes:core/v1:Service";

const ingressRelease = (rec: Recorder, cluster: string) => rec.inCluster(RELEASE, cluster, "istio-ingressgateway");
const ingressService = (rec: Recorder, cluster: string) => rec.inCluster(SERVICE, cluster, "istio-ingressgateway");

describe("ingress gateways of the dev mesh (on for the primaries)", () => {
    let rec: Recorder;
    let outputs: MeshOutputs;
    beforeAll(async () => {
        ({ rec, outputs } = await runMesh(meshes.dev));
    });

    it("installs the gateway chart as istio-ingressgateway in istio-ingress, on the primaries only", () => {
        for (const cluster of ["eks-west", "gke-central"]) {
            const [release] = ingressRelease(rec, cluster);
            expect(release.inputs).toMatchObject({ chart: "gateway", namespace: "istio-ingress", version: "1.31.1" });
            const values = reveal(release.inputs.values);
            expect(values).toEqual({ name: "istio-ingressgateway", service: { type: "None" } });
            expect(gatewayValueErrors(values, release.inputs.version)).toEqual([]);
            const namespace = rec.inCluster("kubernetes:core/v1:Namespace", cluster, "istio-ingress");
            expect(namespace).toHaveLength(1);
            // The chart's pods ask for injection themselves: the namespace carries no injection label.
            expect(namespace[0].inputs.metadata.labels).toBeUndefined();
            expect(rec.dependsOn(release, namespace[0])).toBe(true);
            expect(rec.dependsOn(release, rec.inCluster(RELEASE, cluster, "istiod")[0])).toBe(true);
        }
        expect(ingressRelease(rec, "aks-east")).toEqual([]);
    });

    it("fronts it with an IPv4 single-stack LoadBalancer on 80 only (no ingressTls), on addresses of its own", async () => {
        for (const cluster of ["eks-west", "gke-central"]) {
            const [service] = ingressService(rec, cluster);
            expect(service.inputs.metadata).toMatchObject({
                namespace: "istio-ingress",
                labels: { istio: "ingressgateway", app: "istio-ingressgateway" },
            });
            expect(service.inputs.spec).toMatchObject({
                type: "LoadBalancer",
                selector: { istio: "ingressgateway", app: "istio-ingressgateway" },
                ipFamilyPolicy: "SingleStack",
                ipFamilies: ["IPv4"],
            });
            // No ingressTls: nothing serves 443, so it stays closed.
            expect(service.inputs.spec.ports.map((p: any) => p.port)).toEqual([15021, 80]);
            expect(service.replaceOnChanges).toEqual(["metadata.annotations", "spec.loadBalancerIP"]);
            const ingress = (await resolve(outputs.clusters[cluster].ingressAddress!)).value;
            const eastWest = (await resolve(outputs.clusters[cluster].eastWestAddress)).value;
            expect(ingress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
            expect(ingress).not.toBe(eastWest);
        }
        const ew = rec.inCluster(SERVICE, "eks-west", "istio-eastwestgateway")[0].inputs.metadata.annotations;
        const ing = ingressService(rec, "eks-west")[0].inputs.metadata.annotations;
        const eips = (a: any) => a["service.beta.kubernetes.io/aws-load-balancer-eip-allocations"].split(",");
        expect(eips(ing)).toHaveLength(2);
        expect(eips(ing).filter((id: string) => eips(ew).includes(id))).toEqual([]);
        expect(ingressService(rec, "gke-central")[0].inputs.spec.loadBalancerIP).toBe(
            (await resolve(outputs.clusters["gke-central"].ingressAddress!)).value,
        );
    });

    it("deletes each ingress load balancer before the addresses, nodes and cluster it needs", () => {
        const [service] = ingressService(rec, "eks-west");
        const owned = (type: string) =>
            rec
                .ofType(type)
                .filter((r) => rec.ancestors(r).some((a) => a.name === "eks-west" && a.type === "istio-multicloud:clusters:EksCluster"));
        const ingressEips = owned("aws:ec2/eip:Eip").filter((e) => /ingress/.test(e.name));
        expect(ingressEips).toHaveLength(2);
        for (const r of [
            ...ingressEips,
            ...owned("eks:index:ManagedNodeGroup"),
            ...owned("eks:index:Cluster"),
            ...owned("aws:ec2/vpc:Vpc"),
        ]) {
            expect({ outlives: r.name, ok: rec.dependsOn(service, r) }).toEqual({ outlives: r.name, ok: true });
        }
        expect(service.customTimeouts?.delete).toBe("20m");
    });

    it("routes /hello to helloworld over HTTP from every primary that configures an ingress gateway", () => {
        for (const cluster of ["eks-west", "gke-central"]) {
            const [gateway] = rec.inCluster("kubernetes:networking.istio.io/v1:Gateway", cluster, "helloworld-gateway");
            expect(gateway.inputs.metadata.namespace).toBe("sample");
            expect(gateway.inputs.spec).toEqual({
                selector: { istio: "ingressgateway" },
                servers: [{ port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["*"] }],
            });
            const [route] = rec.inCluster("kubernetes:networking.istio.io/v1:VirtualService", cluster, "helloworld-ingress");
            expect(route.inputs.spec).toEqual({
                hosts: ["*"],
                gateways: ["helloworld-gateway"],
                http: [
                    {
                        match: [{ uri: { prefix: "/hello" } }],
                        route: [{ destination: { host: "helloworld.sample.svc.cluster.local", port: { number: 5000 } } }],
                    },
                ],
            });
            expect(rec.dependsOn(route, rec.inCluster(RELEASE, cluster, "istio-base")[0])).toBe(true);
        }
        expect(rec.inCluster("kubernetes:networking.istio.io/v1:Gateway", "aks-east")).toEqual([]);
    });
});

describe("an ingress gateway in a remote, with TLS", () => {
    let rec: Recorder;
    beforeAll(async () => {
        ({ rec } = await runMesh({
            demo: true,
            ingressTls: { host: "hello.example.com", credentialName: "hello-tls" },
            clusters: [
                { name: "hub", cloud: "gcp", region: "us-east1", project: "acme-mesh" },
                {
                    name: "edge",
                    cloud: "existing",
                    role: "remote",
                    primary: "hub",
                    ingress: true,
                    ingressAddress: "198.51.100.7",
                    ingressSourceRanges: ["203.0.113.0/24"],
                },
                { name: "solo", cloud: "azure", region: "westeurope" },
            ],
            kubeconfigs: { edge: existingKubeconfig },
        }));
    });

    it("waits for the remote to be attached, like the east-west gateway", () => {
        const [release] = ingressRelease(rec, "edge");
        for (const step of [
            rec.inCluster(RELEASE, "hub", "istiod")[0],
            rec.inCluster("kubernetes:networking.istio.io/v1:Gateway", "hub", "istiod-gateway")[0],
            rec.inCluster(SERVICE, "hub", "istio-eastwestgateway")[0],
            rec.inCluster("kubernetes:core/v1:Secret", "hub", "istio-remote-secret-edge")[0],
        ]) {
            expect({ step: step.name, waits: rec.dependsOn(release, step) }).toEqual({ step: step.name, waits: true });
        }
    });

    it("opens 443 next to 80 when ingressTls makes the gateway serve HTTPS", () => {
        const [service] = ingressService(rec, "edge");
        expect(service.inputs.spec.ports.map((p: any) => [p.name, p.port])).toEqual([
            ["status-port", 15021],
            ["http2", 80],
            ["https", 443],
        ]);
    });

    it("takes the configured address and source ranges on an existing cluster", () => {
        const [service] = ingressService(rec, "edge");
        expect(service.inputs.spec.loadBalancerIP).toBe("198.51.100.7");
        expect(service.inputs.spec.loadBalancerSourceRanges).toEqual(["203.0.113.0/24"]);
    });

    it("configures HTTPS with the user's certificate and redirects HTTP, on the remote's primary only", () => {
        const gateways = rec
            .ofType("kubernetes:networking.istio.io/v1:Gateway")
            .filter((g) => g.inputs.metadata.name === "helloworld-gateway");
        expect(gateways.map((g) => rec.providerOf(g)?.name)).toEqual(["hub"]);
        expect(gateways[0].inputs.spec.servers).toEqual([
            { port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["hello.example.com"], tls: { httpsRedirect: true } },
            {
                port: { number: 443, name: "https", protocol: "HTTPS" },
                hosts: ["hello.example.com"],
                tls: { mode: "SIMPLE", credentialName: "hello-tls" },
            },
        ]);
        const routes = rec
            .ofType("kubernetes:networking.istio.io/v1:VirtualService")
            .filter((v) => v.inputs.metadata.name === "helloworld-ingress");
        expect(routes.map((r) => [rec.providerOf(r)?.name, r.inputs.spec.hosts])).toEqual([["hub", ["hello.example.com"]]]);
    });
});

describe("ingressTls without the demo", () => {
    it("opens 443 on the ingress load balancer and creates no demo Gateway", async () => {
        const clusters = [{ name: "alpha", cloud: "azure", region: "westeurope", ingress: true }];
        const { rec } = await runMesh({ clusters, ingressTls: { host: "hello.example.com", credentialName: "hello-tls" } });
        const service = rec.oneIn("kubernetes:core/v1:Service", "alpha", "istio-ingressgateway");
        expect(service.inputs.spec.ports.map((p: { port: number }) => p.port)).toContain(443);
        expect(rec.inCluster("kubernetes:networking.istio.io/v1:Gateway", "alpha", "helloworld-gateway")).toEqual([]);
    });
});
