// Meta's user_data normalisation and hashing, checked against the examples Meta
// publishes with the Conversions API's customer information parameters (the
// expected SHA-256 outputs are Meta's, copied from its documentation).
import { describe, expect, it } from 'vitest';
import { metaUserData, normCity, normEmail, normName, normPhone, normState, normZip, sha256 } from '../src/conversions/meta-identity.ts';

describe('Meta user_data', () => {
  it('matches Meta\'s documented examples', () => {
    expect(normEmail('John_Smith@gmail.com')).toBe('john_smith@gmail.com');
    expect(sha256(normEmail(' John_Smith@gmail.com ')!)).toBe('62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f');
    expect(normPhone('(650)555-1212', '1')).toBe('16505551212');
    expect(sha256(normPhone('(650)555-1212', '1')!)).toBe('e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176');
    expect(sha256(normName('Mary')!)).toBe('6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec');
    expect(sha256(normName('정')!)).toBe('8fa8cd9c440be61d0151429310034083132b35975c4bea67fdd74158eb51db14');
    expect(normName('Valéry')).toBe('valéry');
    expect(sha256(normName('Valéry')!)).toBe('08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c');
    // Decomposed "é" (e + combining accent) is the same name.
    expect(sha256(normName('Vale\u0301ry')!)).toBe('08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c');
  });

  it('phones keep a written country code, get the order\'s otherwise, and lose leading zeros', () => {
    expect(normPhone('+44 844 412 4653', '1')).toBe('448444124653');
    expect(normPhone('0044 844 412 4653')).toBe('448444124653');
    expect(normPhone('030 1234567', '49')).toBe('49301234567');
    expect(normPhone('12')).toBeNull();
  });

  it('addresses: city letters only, two-letter state, US ZIP+4 to 5 digits', () => {
    expect(normCity('San Francisco')).toBe('sanfrancisco');
    expect(normCity("St. John's")).toBe('stjohns');
    expect(normState('CA')).toBe('ca');
    expect(normState('California')).toBeNull();
    expect(normZip('94107-1234', 'US')).toBe('94107');
    expect(normZip('SW1A 1AA', 'gb')).toBe('sw1a1aa');
  });

  it('sends only hashes, and leaves out what does not normalise', () => {
    const u = metaUserData({ email: 'Ana@Shop.Example', phone: '(650)555-1212', firstName: 'Ana', city: 'San Francisco', state: 'California', zip: '94107-1234', country: 'US', externalId: 'cust-42' }, { countryCallingCode: '1' });
    expect(Object.keys(u).sort()).toEqual(['country', 'ct', 'em', 'external_id', 'fn', 'ph', 'zp']);
    expect(u.em).toEqual([sha256('ana@shop.example')]);
    expect(u.zp).toEqual([sha256('94107')]);
    expect(JSON.stringify(u)).not.toMatch(/ana|shop|650|francisco|cust/i);
    for (const v of Object.values(u)) expect(v[0]).toMatch(/^[0-9a-f]{64}$/);
  });
});
