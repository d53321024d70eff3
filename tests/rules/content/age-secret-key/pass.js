const config = {
  region: 'eu-west-1',
  ageSecretKey: '${AGE_SECRET_KEY}',
  ageSecretKeyExample: '<your-token-here>',
  ageSecretKeyOld: 'AGE-SECRET-KEY-1QXCLP78VNFUGGS0ADA6FA97F23NAA',
  ageSecretKeyDocs: 'AGE-SECRET-KEY-10000000000000000000000000000000000000000000000000000000000',
};
module.exports = config;
