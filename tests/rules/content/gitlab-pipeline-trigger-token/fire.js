const config = {
  region: 'eu-west-1',
  gitlabPipelineTriggerToken: 'glptt-66fe7f7e57d1fab24bb0b7680cfb2d72e64952a2',
};
module.exports = config;
