import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

/** SHA-256 fingerprint (hex) of the first certificate in a PEM document, as peers compare roots. */
export function certificateFingerprint(pem: string): string {
    const body = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem)?.[1] ?? pem;
    const der = Buffer.from(body.replace(/\s+/g, ""), "base64");
    return createHash("sha256").update(der).digest("hex");
}

/** The mesh's root of trust. */
export interface MeshRootCaArgs {
    /** Mesh ID, written into the certificate's subject. */
    meshId: string;
    /**
     * Protect the key and certificate from deletion and replacement: replacing the root breaks
     * cross-cluster mTLS until every workload has new certificates.
     */
    protect: boolean;
    /** Validity in years (default 10). */
    validityYears?: number;
}

/** One self-signed root CA for the whole mesh; every primary's intermediate chains to it. */
export class MeshRootCa extends pulumi.ComponentResource {
    /** PEM certificate of the root (`root-cert.pem` in every primary). */
    public readonly certPem: pulumi.Output<string>;
    /** PEM private key of the root (a Pulumi secret). */
    public readonly privateKeyPem: pulumi.Output<string>;

    constructor(name: string, args: MeshRootCaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-multicloud:mesh:MeshRootCa", name, {}, opts);
        const child = { parent: this, protect: args.protect };
        const key = new tls.PrivateKey(`${name}-key`, { algorithm: "RSA", rsaBits: 4096 }, child);
        const cert = new tls.SelfSignedCert(
            `${name}-cert`,
            {
                privateKeyPem: key.privateKeyPem,
                subject: { organization: "Istio", commonName: `Root CA ${args.meshId}` },
                isCaCertificate: true,
                validityPeriodHours: (args.validityYears ?? 10) * 365 * 24,
                allowedUses: ["cert_signing", "crl_signing"],
            },
            child,
        );
        this.certPem = cert.certPem;
        this.privateKeyPem = pulumi.secret(key.privateKeyPem);
        this.registerOutputs({ certPem: this.certPem });
    }
}
