const config = {
  region: 'eu-west-1',
  etsyApiKey: '${ETSY_API_KEY}',
  etsyApiKeyExample: '<your-token-here>',
  etsyApiKeyOld: '90c3sikvv7gt',
  etsyApiKeyDocs: '000000000000000000000000',
};
module.exports = config;
