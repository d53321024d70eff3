const config = {
  region: 'eu-west-1',
  npmAccessToken: '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',
};
module.exports = config;
