const config = {
  region: 'eu-west-1',
  azureAdClientSecret: 'jbB8Q~Kqw_84QpAvRpbMd99TeexOdzJRnaAQKPgn',
};
module.exports = config;
