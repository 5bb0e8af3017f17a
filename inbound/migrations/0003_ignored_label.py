"""A status's label: the choices live in Python only, so nothing changes in the database."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('inbound', '0002_inbound_received_index'),
    ]

    operations = [
        migrations.AlterField(
            model_name='inboundemail',
            name='status',
            field=models.CharField(choices=[('stored', 'Waiting to be read'), ('ticket', 'Opened a request'), ('reply', 'Added a reply'), ('ignored', 'Ignored: no request, no answer'), ('refused', 'Refused: unknown sender'), ('failed', 'Failed')], default='stored', max_length=10),
        ),
    ]
