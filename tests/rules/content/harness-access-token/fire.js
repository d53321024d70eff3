const config = {
  region: 'eu-west-1',
  harnessAccessToken: 'pat.X2k2wLC1VZpgxaFGahr02H.c8cea69b270b731a4364a102.0v6QvFtZmn2RYVnlU1fU',
};
module.exports = config;
