// ua-parser-js 1.x (MIT; the 2.x line is AGPL) ships no types: the part adbrain uses.
declare module 'ua-parser-js' {
  interface Result { browser: { name?: string }; os: { name?: string }; device: { type?: string } }
  export default class UAParser {
    constructor(ua?: string);
    getResult(): Result;
  }
}
