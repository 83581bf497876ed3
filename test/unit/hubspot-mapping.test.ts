import { describe, expect, it } from 'vitest';
import {
  countryCode,
  employeeCount,
  isMql,
  leadFieldsOf,
  mayStartHandoff,
  propertiesToRead,
} from '../../src/hubspot/mapping.js';
import { examplePolicy } from '../helpers/app.js';

/* From HubSpot's records to lead fields, as the example policy maps them. */
const hubspot = examplePolicy().hubspot;
const change = (propertyName: string, propertyValue: string) => ({
  subscriptionType: 'contact.propertyChange',
  propertyName,
  propertyValue,
});

describe('HubSpot mapping', () => {
  it('knows which events may start a handoff', () => {
    expect(
      mayStartHandoff(hubspot, { subscriptionType: 'contact.creation', propertyName: null, propertyValue: null }),
    ).toBe(true);
    expect(mayStartHandoff(hubspot, change('lifecyclestage', 'marketingqualifiedlead'))).toBe(true);
    expect(mayStartHandoff(hubspot, change('lead_score_band', 'A'))).toBe(true);
    expect(mayStartHandoff(hubspot, change('lifecyclestage', 'salesqualifiedlead'))).toBe(false);
    expect(mayStartHandoff(hubspot, change('hubspot_owner_id', '17'))).toBe(false);
    expect(
      mayStartHandoff(hubspot, { subscriptionType: 'contact.deletion', propertyName: null, propertyValue: null }),
    ).toBe(false);
  });

  it('says a contact is an MQL by its lifecycle stage or by a policy rule', () => {
    expect(isMql(hubspot, { lifecyclestage: 'marketingqualifiedlead' })).toBe(true);
    expect(isMql(hubspot, { lifecyclestage: 'lead', lead_score_band: 'A' })).toBe(true);
    expect(isMql(hubspot, { lifecyclestage: 'lead', lead_score_band: 'B' })).toBe(false);
    expect(isMql({ ...hubspot, mqlStage: 'mql_custom' }, { lifecyclestage: 'marketingqualifiedlead' })).toBe(false);
  });

  it("reads the contact properties the mapping and the rules need, and the company's", () => {
    const props = propertiesToRead(hubspot);
    expect(props.contact).toEqual(
      expect.arrayContaining([
        'email',
        'jobtitle',
        'company',
        'numemployees',
        'lifecyclestage',
        'hubspot_owner_id',
        'lead_score_band',
      ]) as unknown,
    );
    expect(props.company).toEqual(
      expect.arrayContaining(['name', 'numberofemployees', 'industry', 'country']) as unknown,
    );
  });

  it('maps a contact and its company to lead fields, the first source with a value winning', () => {
    const contact = {
      email: 'lena@bigcorp.se',
      firstname: 'Lena',
      lastname: ' ',
      jobtitle: 'CTO',
      company: 'Typed by hand',
      numemployees: '1000+',
      country: 'Sweden',
      hs_analytics_source: 'PAID_SEARCH',
      industry: null,
    };
    expect(
      leadFieldsOf(hubspot, contact, { name: 'Bigcorp AB', numberofemployees: '4,200', industry: 'COMPUTER_SOFTWARE' }),
    ).toEqual({
      email: 'lena@bigcorp.se',
      firstName: 'Lena',
      title: 'CTO',
      company: 'Bigcorp AB',
      employees: 4200,
      industry: 'computer_software',
      country: 'SE',
      channel: 'paid_search',
    });
    expect(leadFieldsOf(hubspot, contact, undefined)).toMatchObject({ company: 'Typed by hand', employees: 1000 });
  });

  it.each([
    ['Sweden', 'SE'],
    ['united states', 'US'],
    ['USA', 'US'],
    ['se', 'SE'],
    ['Germany', 'DE'],
    ['Narnia', 'Narnia'],
  ])('country %s is %s', (name, code) => {
    expect(countryCode(name)).toBe(code);
  });

  it.each([
    ['25-50', 25],
    ['1000+', 1000],
    ['250', 250],
    ['about ten', undefined],
  ])('employees %s is %s', (value, n) => {
    expect(employeeCount(value)).toBe(n);
  });
});
