// jstat 1.9 ships no types: the part adbrain uses (the Gamma CDF, shape / scale).
// It is CommonJS: Node hands its exports to an ES import as the default.
declare module 'jstat' {
  const jstat: { jStat: { gamma: { cdf(x: number, shape: number, scale: number): number } } };
  export default jstat;
}
