const config = {
  region: 'eu-west-1',
  yandexIamToken: 't1.K3QUl3tKQ9b81ZAScMsEh5kc2YIIXkJlbou6_1T_PDyTJjcTCm6BzailmCTuxYT_vVsU-AVfgd.Abmobw-pYIJoqjXXC8siaHd06ZPDPe1o7ty9wWYWKxLrJ6C-MC5CuITW_tl17IrJBV9GYay-oPGqnHC58Lo_qX=',
};
module.exports = config;
