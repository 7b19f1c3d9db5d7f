import { describe, expect, it } from 'vitest';
import { parseCampaignName, type CampaignNameParts } from '../src/import/campaign-name.ts';

const cases: [string, CampaignNameParts][] = [
  ['ApplePay-1639-SC5-tiktok', { offer: 'ApplePay', offerKey: 'applepay', accountNumber: '1639', sparkCode: 'SC5', platform: 'tiktok' }],
  ['CashApp-3175-SC12-facebook', { offer: 'CashApp', offerKey: 'cashapp', accountNumber: '3175', sparkCode: 'SC12', platform: 'meta' }],
  ['Apple Pay - 1639 - Spark 5', { offer: 'Apple Pay', offerKey: 'applepay', accountNumber: '1639', sparkCode: 'SC5' }],
  ['applepay_1639_sc5_tt', { offer: 'applepay', offerKey: 'applepay', accountNumber: '1639', sparkCode: 'SC5', platform: 'tiktok' }],
  ['ApplePay | 1639 | SC 5 | TikTok', { offer: 'ApplePay', offerKey: 'applepay', accountNumber: '1639', sparkCode: 'SC5', platform: 'tiktok' }],
  ['ApplePay-1639-Spark-5-tiktok', { offer: 'ApplePay', offerKey: 'applepay', accountNumber: '1639', sparkCode: 'SC5', platform: 'tiktok' }],
  ['[TT] ApplePay - 1639 - SC5', { offer: 'ApplePay', offerKey: 'applepay', accountNumber: '1639', sparkCode: 'SC5', platform: 'tiktok' }],
  ['ApplePay 1639 SC5', { offer: 'ApplePay', offerKey: 'applepay', accountNumber: '1639', sparkCode: 'SC5' }],
  ['Apple Pay 1639 Spark 5', { offer: 'Apple Pay', offerKey: 'applepay', accountNumber: '1639', sparkCode: 'SC5' }],
  ['Venmo-0042-SC3-ig', { offer: 'Venmo', offerKey: 'venmo', accountNumber: '0042', sparkCode: 'SC3', platform: 'meta' }],
  ['PayPal-2201-google', { offer: 'PayPal', offerKey: 'paypal', accountNumber: '2201', platform: 'google' }],
  ['ApplePay-SC5', { offer: 'ApplePay', offerKey: 'applepay', sparkCode: 'SC5' }],
  ['ApplePay-1639', { offer: 'ApplePay', offerKey: 'applepay', accountNumber: '1639' }],
  ['Cash App - 3175 - spark code 12 - FB', { offer: 'Cash App', offerKey: 'cashapp', accountNumber: '3175', sparkCode: 'SC12', platform: 'meta' }],
  ['CashApp_3175_SC12_FB', { offer: 'CashApp', offerKey: 'cashapp', accountNumber: '3175', sparkCode: 'SC12', platform: 'meta' }],
  ['CashApp/3175/SC#12/snap', { offer: 'CashApp', offerKey: 'cashapp', accountNumber: '3175', sparkCode: 'SC12', platform: 'snapchat' }],
  ['Crédit Agricole-7781-SC1-tiktok', { offer: 'Crédit Agricole', offerKey: 'créditagricole', accountNumber: '7781', sparkCode: 'SC1', platform: 'tiktok' }],
  ['ApplePay-2026-SC5-tiktok', { offer: 'ApplePay', offerKey: 'applepay', accountNumber: '2026', sparkCode: 'SC5', platform: 'tiktok' }],
  ['Summer Sale 2026', {}],
  ['Prospecting - Broad', {}],
  ['Search - Brand', {}],
  ['', {}],
];

describe('parseCampaignName', () => {
  it.each(cases)('%s', (name, want) => {
    expect(parseCampaignName(name)).toEqual(want);
  });
});
