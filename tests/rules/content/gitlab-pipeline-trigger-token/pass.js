const config = {
  region: 'eu-west-1',
  gitlabPipelineTriggerToken: '${GITLAB_PIPELINE_TRIGGER_TOKEN}',
  gitlabPipelineTriggerTokenExample: '<your-token-here>',
  gitlabPipelineTriggerTokenOld: 'glptt-66fe7f7e57d1fab24bb0',
  gitlabPipelineTriggerTokenDocs: 'glptt-0000000000000000000000000000000000000000',
};
module.exports = config;
