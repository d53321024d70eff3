const config = {
  region: 'eu-west-1',
  herokuApiKey: 'HRKU-Upjje7GIIfEvO-EUbVehrfHFj6vVgHUV5rooHvzXz52BU10gVlM1tDJzMh',
};
module.exports = config;
