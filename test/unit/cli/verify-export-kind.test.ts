/** `eproof verify` tells a credential export from an e-Proof file by its extension, else by its text. */
import { describe, expect, it } from "vitest";
import { exportKindOf } from "../../../scripts/cli/verify-command.ts";

describe("eproof verify: which input a file holds", () => {
  it("goes by the extension first", () => {
    expect(exportKindOf("licence.sd-jwt", "anything")).toBe("sd-jwt");
    expect(exportKindOf("licence.vc-jwt", "anything")).toBe("vc-jwt");
  });

  it("otherwise by the text: an SD-JWT holds ~, a VC-JWT is one compact JWS, anything else is an e-Proof file", () => {
    expect(exportKindOf("download", "eyJh.eyJp.c2ln~ZGlz~\n")).toBe("sd-jwt");
    expect(exportKindOf("download", "eyJh.eyJp.c2ln\n")).toBe("vc-jwt");
    expect(exportKindOf("eproof.json", '{"eproof": 1}')).toBeNull();
    expect(exportKindOf("licence.pdf", "{}")).toBeNull();
  });
});
