const config = {
  region: 'eu-west-1',
  bitbucketClientSecret: '1ZpG4kPCj47oNrV1vpwDNPLpdR4MuVAe',
};
module.exports = config;
