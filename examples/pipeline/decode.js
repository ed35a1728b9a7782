// Stage 1, "decode": each input value is a raw JSON payload (a string, as it
// would come off a queue). Parse it into the fields the extractors need; a
// payload that does not parse throws, and becomes a failed record of this stage.
export default function decode(raw) {
  const payload = JSON.parse(raw);
  if (typeof payload.note !== 'string' || !Array.isArray(payload.amounts)) {
    throw new TypeError(`payload ${payload.id} has no note or amounts`);
  }
  return { id: payload.id, account: payload.account, note: payload.note, amounts: payload.amounts };
}
