const config = {
  region: 'eu-west-1',
  bitbucketClientSecret: '${BITBUCKET_CLIENT_SECRET}',
  bitbucketClientSecretExample: '<your-token-here>',
  bitbucketClientSecretOld: '1ZpG4kPCj47oNrV1',
  bitbucketClientSecretDocs: '00000000000000000000000000000000',
};
module.exports = config;
