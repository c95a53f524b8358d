"""All SQL lives here: functions taking `*, session`, each list ordered to a unique key."""
