import { rootCertPem, rootKeyPem } from "../stacks/pki";
import { isSecret, Recorder, resolve, reveal } from "../harness";
import { meshes, runMesh } from "../stacks/fixtures";
import { IntermediateCa } from "../../components/mesh/intermediateCa";
import { certificateFingerprint } from "../../stacks/peers";
import { startMockEngine, settle } from "../harness";

describe("the mesh's root of trust (dev mesh)", () => {
    let rec: Recorder;

    beforeAll(async () => {
        ({ rec } = await runMesh(meshes.dev));
    });

    const root = () => rec.one("tls:index/selfSignedCert:SelfSignedCert", "mesh-root-ca-cert");
    const rootKey = () => rec.one("tls:index/privateKey:PrivateKey", "mesh-root-ca-key");

    it("has one long-lived self-signed root CA", () => {
        expect(rec.ofType("tls:index/selfSignedCert:SelfSignedCert")).toHaveLength(1);
        expect(root().inputs).toMatchObject({ isCaCertificate: true, allowedUses: expect.arrayContaining(["cert_signing"]) });
        expect(root().inputs.validityPeriodHours).toBeGreaterThanOrEqual(10 * 365 * 24);
        expect(rec.dependsOn(root(), rootKey())).toBe(true);
    });

    it("leaves the dev stack's root unprotected, as its config says", () => {
        expect(root().protect).toBe(false);
        expect(rootKey().protect).toBe(false);
    });

    it("issues one intermediate CA per primary, signed by the root's key and certificate", () => {
        const intermediates = rec.ofType("tls:index/locallySignedCert:LocallySignedCert");
        expect(intermediates.map((c) => c.name).sort()).toEqual(["eks-west-ca-cert", "gke-central-ca-cert"]);
        for (const cert of intermediates) {
            expect(cert.inputs.isCaCertificate).toBe(true);
            expect(cert.inputs.allowedUses).toEqual(expect.arrayContaining(["cert_signing"]));
            expect(isSecret(cert.inputs.caPrivateKeyPem)).toBe(true);
            expect(rec.dependsOn(cert, root())).toBe(true);
            expect(rec.dependsOn(cert, rootKey())).toBe(true);
            expect(cert.inputs.validityPeriodHours).toBeLessThan(root().inputs.validityPeriodHours);
        }
        const csr = rec.one("tls:index/certRequest:CertRequest", "eks-west-ca-csr");
        expect(csr.inputs.dnsNames).toEqual(["istiod.istio-system.svc"]);
    });

    it("writes cacerts with the intermediate's chain: intermediate first, then root", () => {
        const cacerts = rec
            .ofType("kubernetes:core/v1:Secret")
            .find((s) => s.inputs.metadata.name === "cacerts" && rec.providerOf(s)?.name === "gke-central")!;
        const data = reveal(cacerts.inputs.stringData);
        expect(data["cert-chain.pem"]).toBe(`${data["ca-cert.pem"]}${data["root-cert.pem"]}`);
        expect(data["ca-cert.pem"]).not.toBe(data["root-cert.pem"]);
        expect(data["ca-key.pem"]).toMatch(/PRIVATE KEY/);
    });
});

describe("root protection", () => {
    it("protects the root key and certificate unless the stack turns it off", async () => {
        const { rec } = await runMesh({ clusters: [{ name: "solo", cloud: "gcp", region: "us-east1", project: "acme-mesh" }] });
        expect(rec.one("tls:index/selfSignedCert:SelfSignedCert", "mesh-root-ca-cert").protect).toBe(true);
        expect(rec.one("tls:index/privateKey:PrivateKey", "mesh-root-ca-key").protect).toBe(true);
    });
});

describe("IntermediateCa", () => {
    it("keeps its private key secret and appends the root after a newline", async () => {
        startMockEngine({});
        const ca = new IntermediateCa("x", {
            clusterName: "x",
            rootCertPem: "-----BEGIN CERTIFICATE-----\nROOT\n-----END CERTIFICATE-----",
            rootKeyPem: "key",
        });
        const key = await resolve(ca.bundle.caKeyPem);
        const chain = await resolve(ca.bundle.certChainPem);
        await settle();
        expect(key.secret).toBe(true);
        expect(chain.value).toMatch(/-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nROOT/);
    });
});

describe("a root the user brings (rootCa, secret config)", () => {
    // A real CA and its key: the config model checks that the key is the certificate's (issue 13).
    const certPem = rootCertPem;
    const keyPem = rootKeyPem;

    it("signs every primary's intermediate with it and generates no root", async () => {
        const { rec, outputs } = await runMesh({ ...meshes["multi-primary"], rootCa: { certPem, keyPem } });
        expect(rec.ofType("tls:index/selfSignedCert:SelfSignedCert")).toEqual([]);
        expect(
            rec
                .ofType("tls:index/privateKey:PrivateKey")
                .map((k) => k.name)
                .sort(),
        ).toEqual(["alpha-ca-key", "beta-ca-key"]);
        for (const cert of rec.ofType("tls:index/locallySignedCert:LocallySignedCert")) {
            expect(cert.inputs.caCertPem).toBe(certPem);
            expect(isSecret(cert.inputs.caPrivateKeyPem)).toBe(true);
            expect(reveal(cert.inputs.caPrivateKeyPem)).toBe(keyPem);
        }
        const cacerts = rec.ofType("kubernetes:core/v1:Secret").filter((s) => s.inputs.metadata.name === "cacerts");
        expect(cacerts.map((s) => reveal(s.inputs.stringData)["root-cert.pem"])).toEqual([certPem, certPem]);
        expect((await resolve(outputs.clusters.alpha.rootCaFingerprint!)).value).toBe(certificateFingerprint(certPem));
    });
});
