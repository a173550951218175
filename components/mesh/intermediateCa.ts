import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

/** The four files istiod reads from the `cacerts` secret. */
export interface CaBundle {
    /** This cluster's intermediate CA certificate (`ca-cert.pem`). */
    caCertPem: pulumi.Output<string>;
    /** Its private key (`ca-key.pem`, a Pulumi secret). */
    caKeyPem: pulumi.Output<string>;
    /** The mesh root (`root-cert.pem`). */
    rootCertPem: pulumi.Output<string>;
    /** Intermediate followed by root (`cert-chain.pem`). */
    certChainPem: pulumi.Output<string>;
}

/** The four PEMs of an intermediate CA as plain text, as the root's owner publishes them to peers. */
export interface CaBundlePems {
    caCertPem: string;
    caKeyPem: string;
    rootCertPem: string;
    certChainPem: string;
}

/** What an intermediate CA is issued from. */
export interface IntermediateCaArgs {
    /** Cluster whose istiod signs workload certificates with this CA. */
    clusterName: string;
    rootCertPem: pulumi.Input<string>;
    rootKeyPem: pulumi.Input<string>;
    /** Validity in years (default 5); renewed by `pulumi up` in its last year. */
    validityYears?: number;
}

/** An intermediate CA for one primary's istiod, signed by the mesh root. */
export class IntermediateCa extends pulumi.ComponentResource {
    public readonly bundle: CaBundle;

    constructor(name: string, args: IntermediateCaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-multicloud:mesh:IntermediateCa", name, {}, opts);
        const child = { parent: this };
        const key = new tls.PrivateKey(`${name}-key`, { algorithm: "RSA", rsaBits: 4096 }, child);
        const request = new tls.CertRequest(
            `${name}-csr`,
            {
                privateKeyPem: key.privateKeyPem,
                subject: { organization: "Istio", commonName: `Intermediate CA ${args.clusterName}` },
                // Upstream's cert tooling names istiod's service; istiod itself does not require it.
                dnsNames: ["istiod.istio-system.svc"],
            },
            child,
        );
        // istiod accepts a plugged-in CA only if it is a CA (CA:true, keyCertSign) chaining to the root.
        // (@pulumi/tls cannot emit pathlen 0; istiod does not check it.)
        const cert = new tls.LocallySignedCert(
            `${name}-cert`,
            {
                certRequestPem: request.certRequestPem,
                caCertPem: args.rootCertPem,
                caPrivateKeyPem: args.rootKeyPem,
                isCaCertificate: true,
                validityPeriodHours: (args.validityYears ?? 5) * 365 * 24,
                earlyRenewalHours: 365 * 24,
                allowedUses: ["cert_signing", "crl_signing", "digital_signature", "key_encipherment"],
            },
            child,
        );
        const root = pulumi.output(args.rootCertPem);
        this.bundle = {
            caCertPem: cert.certPem,
            caKeyPem: pulumi.secret(key.privateKeyPem),
            rootCertPem: root,
            certChainPem: pulumi.interpolate`${cert.certPem.apply(withNewline)}${root}`,
        };
        this.registerOutputs({ caCertPem: cert.certPem });
    }
}

function withNewline(pem: string): string {
    return pem.endsWith("\n") ? pem : `${pem}\n`;
}
