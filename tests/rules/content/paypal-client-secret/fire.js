const config = {
  region: 'eu-west-1',
  paypalClientSecret: 'EGjoGKylxdEOEQnznm-AZF6W_GWY7sOVulxyH_x94WH8thqpR0D5aJqzozhxV6j1QmbG64sU_7SuehvW',
};
module.exports = config;
