const config = {
  region: 'eu-west-1',
  fastlyApiToken: '${FASTLY_API_TOKEN}',
  fastlyApiTokenExample: '<your-token-here>',
  fastlyApiTokenOld: '5KZsNDKDl24HRbbF',
  fastlyApiTokenDocs: '00000000000000000000000000000000',
};
module.exports = config;
