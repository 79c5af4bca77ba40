"""The registry's custom errors in the domain's words: industry codes as ISRC/ISWC text, assets as their URL.

`chain.revert` decodes a revert into the error's name and ABI arguments (a bytes12 code is 0x hex there); this
adds what a person needs to act on it, keeping the raw arguments beside: `IndustryCodeTaken(code=0x5553…,
existingAssetId=1)` becomes "ISRC US-HRM-26-00001 is already registered as asset 1" with a link to the asset.
"""

from __future__ import annotations

from chain.errors import ContractReverted
from ledger.identifiers import readable_code

# Arguments that name an asset, linked as `<name>_url`.
_ASSET_ARGS = ("assetId", "existingAssetId", "workId")


def explained(reverted: ContractReverted) -> ContractReverted:
    """The same refusal with readable codes, asset links and a sentence saying what happened."""
    args, detail = explain_args(reverted.error_name, reverted.error_args)
    if detail is None:
        return reverted
    return ContractReverted(detail, reverted.error_name, args, data=reverted.data)


def explain_args(error_name: str | None, args: dict | None) -> tuple[dict, str | None]:
    """(arguments with readable codes and asset links added, a sentence for the errors that carry a code)."""
    args = dict(args or {})
    if isinstance(args.get("code"), str) and args["code"].startswith("0x"):
        args["code_text"] = readable_code(args["code"])
    for name in _ASSET_ARGS:
        if isinstance(args.get(name), int) and args[name] > 0:
            args[f"{name}_url"] = f"/v1/assets/{args[name]}"
    kind = "ISWC" if str(args.get("code_text", "")).startswith("T-") else "ISRC"
    if error_name == "IndustryCodeTaken":
        return args, (f"{kind} {args['code_text']} is already registered as asset {args['existingAssetId']} "
                      f"({args['existingAssetId_url']})")
    if error_name == "InvalidIndustryCode":
        return args, f"the registry refuses {args['code_text']!r} as an industry code for this kind of asset"
    if error_name == "ContentHashTaken":
        return args, (f"this audio (content hash {args['hash']}) is already registered as asset "
                      f"{args['existingAssetId']} ({args['existingAssetId_url']})")
    return args, None
