require 'json'
TYPEFORM_PAT = 'tfp_KivWEqkyvC7uiYq34vw0PjUbfprx7IlvM7C9DHDiU0zw_Qhywex4eYmcWVF'
