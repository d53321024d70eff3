const config = {
  region: 'eu-west-1',
  duffelApiToken: '${DUFFEL_API_TOKEN}',
  duffelApiTokenExample: '<your-token-here>',
  duffelApiTokenOld: 'duffel_live_=naqDxxQEtOkmzD78CM',
  duffelApiTokenDocs: 'duffel_0000_=000000000000000000000000_00000000000000000',
};
module.exports = config;
