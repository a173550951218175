import { createHash } from "crypto";
import type { ResourceOutputs } from "./types";

/** Outputs the random provider computes, by resource type. */
export const randomResources: Record<string, ResourceOutputs> = {
    // Lowercase letters and digits, as `{ upper: false, special: false }` asks; stable per name.
    "random:index/randomString:RandomString": (args) => {
        const length = Number(args.inputs.length ?? 6);
        const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        const bytes = createHash("sha256").update(args.name).digest();
        const result = Array.from({ length }, (_, i) => alphabet[bytes[i % bytes.length] % alphabet.length]);
        return { result: result.join("") };
    },
    // A version-4-shaped UUID, stable per name (Azure role assignment names must be GUIDs).
    "random:index/randomUuid:RandomUuid": (args) => {
        const hex = createHash("sha256").update(`uuid:${args.name}`).digest("hex");
        const result = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
        return { result };
    },
};
