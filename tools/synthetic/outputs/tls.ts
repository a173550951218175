import { createHash } from "crypto";
import type { ResourceOutputs } from "./types";
import { secretValue } from "./types";

/** A PEM block whose body identifies the object it stands for (not real DER). */
function pem(label: string, seed: string): string {
    const body = createHash("sha256").update(seed).digest("base64");
    return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

/** Outputs the tls provider computes, by resource type. */
export const tlsResources: Record<string, ResourceOutputs> = {
    // The provider marks private keys secret.
    "tls:index/privateKey:PrivateKey": ({ name }) => ({
        privateKeyPem: secretValue(pem("RSA PRIVATE KEY", `key-${name}`)),
        publicKeyPem: pem("PUBLIC KEY", `pub-${name}`),
    }),
    "tls:index/selfSignedCert:SelfSignedCert": ({ name }) => ({ certPem: pem("CERTIFICATE", `cert-${name}`) }),
    "tls:index/certRequest:CertRequest": ({ name }) => ({ certRequestPem: pem("CERTIFICATE REQUEST", `csr-${name}`) }),
    "tls:index/locallySignedCert:LocallySignedCert": ({ name }) => ({ certPem: pem("CERTIFICATE", `cert-${name}`) }),
};
