const config = {
  region: 'eu-west-1',
  mondayApiToken: '${MONDAY_API_TOKEN}',
  mondayApiTokenExample: '<your-token-here>',
  mondayApiTokenOld: 'eyJOnc6_SXC4N2OavJdOyJW11NDmU4WAqE0.eyJfb1fllj8xpJ8s4dTQt_ueWTTFJ',
  mondayApiTokenDocs: 'eyJ0000_000000000000000000000000000.000000000000000000000_0000000000000000000000000000_000000.0-00000000000000000000000000000000',
};
module.exports = config;
