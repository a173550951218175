// Entry point of the policy pack: `pulumi preview --policy-pack policy`.
// Constructing the PolicyPack starts the gRPC server the Pulumi CLI talks to, so nothing else
// imports this file; the policies themselves live in policies.ts (tests import that one).
import { PolicyPack } from "@pulumi/policy";
import { packEnforcementLevel, packName, policies } from "./policies";

new PolicyPack(packName, {
    description:
        "Guardrails of the istio-multicloud mesh: mTLS on every primary, explicit cluster providers, no credentials in plain config, exposure of gateways and API servers.",
    enforcementLevel: packEnforcementLevel,
    policies,
});
