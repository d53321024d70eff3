const config = {
  region: 'eu-west-1',
  herokuApiKey: 'HRKU-AADUpjje7GIIfEvO-EUbVehrfHFj6vVgHUV5rooHvzXz52BU10gVlM1tDJzM',
};
module.exports = config;
