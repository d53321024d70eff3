const config = {
  region: 'eu-west-1',
  slackUserToken: 'xoxe-1325141287-8121652175-5334465675-20527234b05689582e31e3891d206de4',
};
module.exports = config;
