/**
 * The contact fields of a made-up person that no test looks at: the same for everyone in a test's
 * scenario (`{ userId, firstName, ..., ...NO_CONTACT }`), so each test states only what it checks.
 */
export const NO_CONTACT = { phone: '', dateOfBirth: '1980-01-01', addressLine1: '', city: '', state: '', zip: '' } as const;
