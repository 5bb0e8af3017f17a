from django.contrib.auth.decorators import permission_required

# Portal pages: employees asking for help. Anyone else gets a 403, not a login loop.
customer_required = permission_required("accounts.use_customer_portal", raise_exception=True)
