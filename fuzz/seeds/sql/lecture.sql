INSERT INTO users VALUES (106, 'Frank');
SELECT * FROM users WHERE id = 101;